import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Person as Account, PASSWORD, people, refused, restClient } from '../apps/server/test/people.js';
import type { TestServer } from '../apps/server/test/test-server.js';
import { loggedIn } from './support/accounts.js';
import { launchBrowser, type Person, person, readCode, screenshot } from './support/browser.js';
import { startMailingServer } from './support/instance.js';
import { type MailServer, startMailServer } from './support/mail-server.js';
import { story } from './support/story.js';

/** More users than one page of the admin's list holds (50), so that "Load more" has work. */
const EXTRA_USERS = 52;

/**
 * An admin runs the instance from the browser alone: the overview, SMTP with a test mail that
 * reaches a real mail server, the welcome mail, the instance's name and registration, sign-up
 * codes, and the users (search, paging, admin rights, password reset, disable, delete).
 */
describe('the admin panel', () => {
  let mail: MailServer;
  let server: TestServer;
  let browser: Browser;
  let admin: Person;
  let ben: Person;
  let visitor: Person;
  let a: Page;
  let adaAccount: Account;
  let benAccount: Account;
  let catAccount: Account;
  let newCode = '';

  beforeAll(async () => {
    // The mail server speaks STARTTLS with a certificate from a private CA, which the server trusts.
    mail = await startMailServer({ starttls: true });
    [server, browser] = await Promise.all([startMailingServer(mail), launchBrowser()]);
    // The first account is the admin; it has an email, where the test mail goes by default.
    const rest = restClient(server.url);
    const { token, user } = await rest.signup({
      username: 'ada',
      password: PASSWORD,
      email: 'ada@example.org',
    });
    adaAccount = { id: user.id, username: user.username, token, rest };
    [benAccount, catAccount] = await people(server.url, ['ben', 'cat'], adaAccount);
    const extra = Array.from({ length: EXTRA_USERS }, (_, i) => `user${String(i + 1).padStart(2, '0')}`);
    await people(server.url, extra, adaAccount);
    [admin, ben, visitor] = await Promise.all([
      loggedIn(browser, server.url, adaAccount.token),
      loggedIn(browser, server.url, benAccount.token),
      person(browser, server.url),
    ]);
    a = admin.page;
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await mail?.close();
  });

  story(() => ({ admin, ben, visitor }));

  const nav = (page: Page) => page.getByRole('navigation', { name: 'Settings' });
  const section = (page: Page, name: string) => page.getByRole('region', { name });
  const users = () => a.getByRole('list', { name: 'Users' });
  const userRow = (name: string) => users().getByRole('listitem', { name, exact: true });
  /** Opens a section afresh (as a reload would), by going through another one. */
  const reopen = async (name: string) => {
    await nav(a).getByRole('link', { name: 'Overview' }).click();
    await nav(a).getByRole('link', { name, exact: true }).click();
  };

  it('opens the admin panel from the user settings, on an overview of the instance', async () => {
    await a.goto('/channels/@me');
    await a.getByRole('button', { name: 'User settings' }).click();
    await nav(a).getByRole('link', { name: 'Overview' }).click();
    const overview = section(a, 'Overview');
    const card = (label: string) => overview.getByRole('listitem').filter({ hasText: label });
    await expect.poll(() => card('Users').textContent()).toMatch(new RegExp(`^${3 + EXTRA_USERS}\\s*Users$`));
    expect(await card('Servers').textContent()).toMatch(/^0\s*Servers$/);
    expect(await card('Messages').textContent()).toMatch(/^0\s*Messages$/);
    const fact = (term: string) =>
      overview.locator('dt', { hasText: term }).locator('xpath=following-sibling::dd');
    expect(await fact('Storage').textContent()).toBe('Embedded database (PGlite)');
    expect(await fact('Database size').textContent()).toMatch(/^\d+(\.\d)? (KB|MB|GB)$/);
    expect(await fact('Version').textContent()).toMatch(/\d+\.\d+/);
    expect(await fact('Uptime').textContent()).toMatch(/^\d+ (second|minute)s?/);
    await screenshot(a, 'admin-overview');
  });

  it('shows the mail server’s own refusal when a test mail is sent with a wrong password', async () => {
    await nav(a).getByRole('link', { name: 'Email' }).click();
    const smtp = a.getByRole('form', { name: 'Outgoing mail (SMTP)' });
    await smtp.getByLabel('Send mail').check();
    await smtp.getByLabel('SMTP host').fill(mail.host);
    await smtp.getByLabel('Port').fill(String(mail.port));
    await smtp.getByRole('radio', { name: 'STARTTLS' }).check();
    await smtp.getByLabel('SMTP username').fill(mail.username);
    await smtp.getByLabel('SMTP password').fill('not-the-password');
    await smtp.getByLabel('From address').fill('chat@example.org');
    expect(await smtp.getByLabel('Send a test mail to').inputValue()).toBe('ada@example.org');
    await smtp.getByRole('button', { name: 'Send test mail' }).click();
    await smtp
      .getByRole('status')
      .filter({ hasText: /Not sent\. The mail server said: .*Invalid username or password/ })
      .waitFor();
    expect(mail.inbox).toHaveLength(0);
  });

  it('warns that the login would travel in clear with security "None", not with STARTTLS', async () => {
    const smtp = a.getByRole('form', { name: 'Outgoing mail (SMTP)' });
    const warning = smtp.getByRole('alert').filter({ hasText: 'the login travels in clear' });
    expect(await warning.count()).toBe(0);
    await smtp.getByRole('radio', { name: 'None' }).check();
    await warning.waitFor();
    await smtp.getByRole('radio', { name: 'STARTTLS' }).check();
    await warning.waitFor({ state: 'detached' });
  });

  it('sends the test mail over STARTTLS with the form as it is, unsaved', async () => {
    const smtp = a.getByRole('form', { name: 'Outgoing mail (SMTP)' });
    await smtp.getByLabel('SMTP password').fill(mail.password);
    await smtp.getByRole('button', { name: 'Send test mail' }).click();
    await smtp.getByRole('status').filter({ hasText: 'Sent to ada@example.org' }).waitFor();
    const received = await mail.mail((m) => m.to.includes('ada@example.org'));
    expect(received.subject).toMatch(/test/i);
    // Nothing was saved by testing.
    expect((await adaAccount.rest.getAdminSettings()).smtp.enabled).toBe(false);
  });

  it('saves the SMTP settings; the password is write-only afterwards', async () => {
    const smtp = a.getByRole('form', { name: 'Outgoing mail (SMTP)' });
    await smtp.getByRole('button', { name: 'Save' }).click();
    await smtp.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    const password = smtp.getByLabel('SMTP password');
    expect(await password.inputValue()).toBe('');
    expect(await password.getAttribute('placeholder')).toBe('•••• saved — type to replace');
    await smtp.getByRole('button', { name: 'Clear saved password' }).waitFor();
    const saved = (await adaAccount.rest.getAdminSettings()).smtp;
    expect(saved).toMatchObject({
      enabled: true,
      host: mail.host,
      port: mail.port,
      security: 'starttls',
      passwordSet: true,
    });
    await screenshot(a, 'admin-email');
  });

  it('previews the welcome mail as it is typed and saves it', async () => {
    const welcome = a.getByRole('form', { name: 'Welcome mail' });
    await welcome.getByLabel('Subject').fill('Hello {username}, welcome to {instance}');
    await welcome.getByLabel('Text').fill('Hi {username}!\nYour account on {instance} is ready: {url}');
    const preview = welcome.getByRole('region', { name: 'Preview' });
    await preview.getByText('Hello newcomer, welcome to Decentra').waitFor();
    await preview.getByText(`Your account on Decentra is ready: ${server.url}`).waitFor();
    await welcome.getByRole('button', { name: 'Save' }).click();
    await welcome.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    expect((await adaAccount.rest.getAdminSettings()).welcome.subject).toBe(
      'Hello {username}, welcome to {instance}',
    );
  });

  it('names the instance and opens registration; the login page says so', async () => {
    await nav(a).getByRole('link', { name: 'Instance' }).click();
    const form = a.getByRole('form', { name: 'Instance settings' });
    await form.getByLabel('Instance name').fill('Chess Club Chat');
    await form.getByRole('radio', { name: /Open/ }).check();
    await form.getByRole('button', { name: 'Save' }).click();
    await form.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    await expect.poll(() => a.title()).toBe('Chess Club Chat');

    const v = visitor.page;
    await v.goto('/');
    await v.getByRole('heading', { name: 'Chess Club Chat', level: 1 }).waitFor();
    expect(await v.title()).toBe('Chess Club Chat');
    await v.getByRole('link', { name: 'Forgot password?' }).waitFor();
    await v.getByRole('button', { name: 'Sign up instead' }).click();
    await v.getByLabel('Invite code (optional)').waitFor();
  });

  it('makes a sign-up code in Invites; a newcomer signs up with it and an email, and gets the welcome mail', async () => {
    await nav(a).getByRole('link', { name: 'Invites' }).click();
    await section(a, 'Invites').getByRole('button', { name: 'Create a sign-up code' }).click();
    newCode = await readCode(a, 'New sign-up code');
    await a
      .getByRole('list', { name: 'Unused sign-up codes' })
      .getByRole('listitem', { name: newCode })
      .waitFor();

    const v = visitor.page;
    await v.getByLabel('Username').fill('dora');
    await v.getByLabel('Password').fill('correct horse battery');
    await v.getByLabel('Invite code (optional)').fill(newCode);
    await v.getByLabel('Email (optional)').fill('dora@example.org');
    await v.getByRole('button', { name: 'Sign up', exact: true }).click();
    await v.waitForURL('**/channels/@me');
    const welcome = await mail.mail((m) => m.to.includes('dora@example.org'));
    expect(welcome.subject).toBe('Hello dora, welcome to Chess Club Chat');
    expect(welcome.text).toContain('Your account on Chess Club Chat is ready: ');
    // dora's code is used: it leaves the list.
    await reopen('Invites');
    await a
      .getByRole('list', { name: 'Unused sign-up codes' })
      .or(a.getByText('No unused sign-up codes.'))
      .first()
      .waitFor();
    expect(await a.getByRole('listitem', { name: newCode }).count()).toBe(0);
  });

  it('revokes an unused code, which then signs nobody up', async () => {
    const { code } = await benAccount.rest.createInvite();
    await reopen('Invites');
    const row = a.getByRole('list', { name: 'Unused sign-up codes' }).getByRole('listitem', { name: code });
    expect(await row.textContent()).toContain('By ben');
    await row.getByRole('button', { name: 'Revoke' }).click();
    await row.waitFor({ state: 'detached' });
    const err = await refused(
      restClient(server.url).signup({ username: 'eve', password: PASSWORD, inviteCode: code }),
    );
    expect(err.status).toBe(403);
  });

  it('lists the users a page at a time, with “Load more”', async () => {
    await nav(a).getByRole('link', { name: 'Users', exact: true }).click();
    await userRow('ada').waitFor();
    expect(await users().getByRole('listitem').count()).toBe(50);
    await a.getByRole('button', { name: 'Load more' }).click();
    await expect.poll(() => users().getByRole('listitem').count()).toBe(4 + EXTRA_USERS);
    expect(await a.getByRole('button', { name: 'Load more' }).count()).toBe(0);
  });

  it('finds users by name or email, with their badges, dates and who invited them', async () => {
    await a.getByLabel('Search users').fill('do');
    await expect.poll(() => users().getByRole('listitem').count()).toBe(1);
    const dora = await userRow('dora').textContent();
    expect(dora).toContain('dora@example.org');
    expect(dora).toMatch(/Joined \w{3} \d+, \d{4}/);
    expect(dora).toContain('Invited by ada');
    await a.getByLabel('Search users').fill('ada@example');
    await userRow('ada').getByText('Admin', { exact: true }).waitFor();
    expect(await users().getByRole('listitem').count()).toBe(1);
    await a.getByLabel('Search users').fill('');
    await expect.poll(() => users().getByRole('listitem').count()).toBe(50);
    await screenshot(a, 'admin-users');
  });

  it('makes a user an admin and takes it back', async () => {
    const row = userRow('ben');
    await row.getByRole('button', { name: 'Make admin' }).click();
    await row.getByText('Admin', { exact: true }).waitFor();
    await expect.poll(async () => (await benAccount.rest.me()).isAdmin).toBe(true);
    await row.getByRole('button', { name: 'Remove admin' }).click();
    await row.getByRole('button', { name: 'Make admin' }).waitFor();
    await expect.poll(async () => (await benAccount.rest.me()).isAdmin).toBe(false);
  });

  it('offers no way to disable oneself or to give up one’s own admin right', async () => {
    const row = userRow('ada');
    expect(await row.getByRole('button', { name: 'Disable' }).isDisabled()).toBe(true);
    expect(await row.getByRole('button', { name: 'Remove admin' }).isDisabled()).toBe(true);
    expect(await row.getByRole('button', { name: 'Delete' }).isDisabled()).toBe(true);
  });

  it('sends a password reset by mail to a user with an address, and hands over a link for one without', async () => {
    await a.getByLabel('Search users').fill('dora');
    await userRow('dora').getByRole('button', { name: 'Send password reset' }).click();
    await userRow('dora').getByRole('status').filter({ hasText: 'Mail sent' }).waitFor();
    const reset = await mail.mail(
      (m) => m.to.includes('dora@example.org') && m.text.includes('/reset-password?token='),
    );
    expect(reset.text).toContain(`${server.url}/reset-password?token=`);

    await a.getByLabel('Search users').fill('cat');
    await userRow('cat').getByRole('button', { name: 'Send password reset' }).click();
    const link = await readCode(a, 'Password reset link for cat');
    expect(link).toMatch(new RegExp(`^${server.url}/reset-password\\?token=[A-Za-z0-9_-]{16,}$`));
  });

  it('disables a user: their open browser goes back to the login page saying so, and login is refused', async () => {
    const b = ben.page;
    await b.goto('/channels/@me');
    await b.getByRole('navigation', { name: 'Servers' }).waitFor();
    await a.getByLabel('Search users').fill('ben');
    await userRow('ben').getByRole('button', { name: 'Disable' }).click();
    await userRow('ben').getByText('Disabled', { exact: true }).waitFor();

    await b.waitForURL('**/login');
    await b.getByRole('status').filter({ hasText: 'Your account has been disabled by an admin.' }).waitFor();
    await b.getByLabel('Username').fill('ben');
    await b.getByLabel('Password').fill(PASSWORD);
    await b.getByRole('button', { name: 'Log in' }).click();
    await b.getByRole('alert').filter({ hasText: 'This account has been disabled by an admin' }).waitFor();
  });

  it('enables the user again, who can then log in', async () => {
    await userRow('ben').getByRole('button', { name: 'Enable' }).click();
    await userRow('ben').getByRole('button', { name: 'Disable' }).waitFor();
    const b = ben.page;
    await b.getByRole('button', { name: 'Log in' }).click();
    await b.waitForURL('**/channels/@me');
  });

  it('deletes a user after asking', async () => {
    await a.getByLabel('Search users').fill('cat');
    await userRow('cat').getByRole('button', { name: 'Delete' }).click();
    const confirm = a.getByRole('dialog', { name: 'Delete cat?' });
    await confirm.getByRole('button', { name: 'Delete user' }).click();
    await a.getByText('No user matches “cat”.').waitFor();
    const err = await refused(restClient(server.url).login({ username: 'cat', password: PASSWORD }));
    expect(err.status).toBe(401);
    await expect
      .poll(async () => (await adaAccount.rest.adminListUsers({ q: 'cat' })).map((u) => u.id))
      .not.toContain(catAccount.id);
  });

  it('closes the admin panel with Escape, back where the admin was', async () => {
    await a.keyboard.press('Escape');
    await a.waitForURL('**/channels/@me');
    await a.getByRole('navigation', { name: 'Servers' }).waitFor();
  });

  it('shows someone who is not an admin only a plain message at the admin panel’s address', async () => {
    const b = ben.page;
    await b.goto('/admin/users');
    await b.getByText('Only admins can open the admin panel.').waitFor();
    expect(await b.getByRole('list', { name: 'Users' }).count()).toBe(0);
    expect(await nav(b).getByRole('link', { name: 'Overview' }).count()).toBe(0);
  });

  it('closes registration: the login page offers no sign-up', async () => {
    await adaAccount.rest.putAdminSettings({ instance: { name: 'Chess Club Chat', registration: 'closed' } });
    const v = visitor.page;
    await v.context().clearCookies();
    await v.goto('/login');
    await v.getByText('This server is not taking new accounts.').waitFor();
    expect(await v.getByRole('button', { name: 'Sign up instead' }).count()).toBe(0);
  });
});
