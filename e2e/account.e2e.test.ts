import { readFileSync } from 'node:fs';
import { AccountExportSchema } from '@decentra/protocol';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Person as Account,
  PASSWORD,
  people,
  restClient,
  serverWith,
} from '../apps/server/test/people.js';
import type { TestServer } from '../apps/server/test/test-server.js';
import { launchBrowser, type Person, person, screenshot } from './support/browser.js';
import { startMailingServer, useMailServer } from './support/instance.js';
import { linkIn, type MailServer, startMailServer } from './support/mail-server.js';
import { story } from './support/story.js';

const NEW_PASSWORD = 'a brand new passphrase';
const NEWER_PASSWORD = 'another passphrase again';

/**
 * One person's account, from the browser: a forgotten password reset through a mailed link, the
 * email changed and confirmed, sessions listed and logged out, the password changed (logging out
 * the other browser), and the account deleted with one of its servers handed to a member.
 */
describe('account settings and mailed links', () => {
  let mail: MailServer;
  let server: TestServer;
  let browser: Browser;
  let first: Person;
  let second: Person | undefined;
  let a: Page;
  let ann: Account;
  let ben: Account;
  let bookClubId = '';

  beforeAll(async () => {
    [mail, server, browser] = await Promise.all([startMailServer(), startMailingServer(), launchBrowser()]);
    const [ada] = await people(server.url, ['ada']);
    await useMailServer(ada.rest, mail);
    const rest = restClient(server.url);
    const { code } = await ada.rest.createInvite();
    const signup = await rest.signup({
      username: 'ann',
      password: PASSWORD,
      email: 'ann@example.org',
      inviteCode: code,
    });
    ann = { id: signup.user.id, username: 'ann', token: signup.token, rest };
    [ben] = await people(server.url, ['ben'], ada);
    bookClubId = (await serverWith(ann, 'Book Club', [ben])).id;
    await ann.rest.createServer({ name: 'Solo' });
    first = await person(browser, server.url);
    a = first.page;
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await mail?.close();
  });

  story(() => ({ first, second }));

  /** Another browser where ann logs in (a session of its own, listed with its browser and system). */
  const secondBrowser = async (password: string) => {
    await second?.context.close();
    second = await person(browser, server.url);
    const b = second.page;
    await b.goto('/login');
    await b.getByLabel('Username').fill('ann');
    await b.getByLabel('Password').fill(password);
    await b.getByRole('button', { name: 'Log in' }).click();
    await b.getByRole('navigation', { name: 'Servers' }).waitFor();
    return b;
  };
  const nav = (page: Page) => page.getByRole('navigation', { name: 'Settings' });
  const section = (page: Page, name: string) => page.getByRole('region', { name });

  it('resets a forgotten password: the link on the login page, the mail, the page it links to', async () => {
    await a.goto('/');
    await a.getByRole('link', { name: 'Forgot password?' }).click();
    await a.waitForURL('**/forgot-password');
    await a.getByLabel('Email').fill('ann@example.org');
    await screenshot(a, 'forgot-password');
    await a.getByRole('button', { name: 'Send me a link' }).click();
    await a
      .getByRole('status')
      .filter({ hasText: 'If an account uses this address, a mail with a link is on its way.' })
      .waitFor();

    const reset = await mail.mail(
      (m) => m.to.includes('ann@example.org') && m.text.includes('/reset-password'),
    );
    const link = linkIn(reset, `${server.url}/reset-password?token=`);
    await a.goto(link);
    await a.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await a.getByLabel('Confirm new password').fill(NEW_PASSWORD);
    await a.getByRole('button', { name: 'Change password' }).click();
    await a.getByRole('status').filter({ hasText: 'Your password has been changed' }).waitFor();
    await a.getByRole('link', { name: 'Log in' }).click();
    await a.waitForURL('**/login');
    await a.getByLabel('Username').fill('ann');
    await a.getByLabel('Password').fill(NEW_PASSWORD);
    await a.getByRole('button', { name: 'Log in' }).click();
    await a.waitForURL('**/channels/@me');
  });

  it('says in words that a used reset link no longer works', async () => {
    const reset = await mail.mail(
      (m) => m.to.includes('ann@example.org') && m.text.includes('/reset-password'),
    );
    const other = await person(browser, server.url);
    try {
      await other.page.goto(linkIn(reset, `${server.url}/reset-password?token=`));
      await other.page.getByLabel('New password', { exact: true }).fill('whatever it is now');
      await other.page.getByLabel('Confirm new password').fill('whatever it is now');
      await other.page.getByRole('button', { name: 'Change password' }).click();
      await other.page
        .getByRole('alert')
        .filter({ hasText: 'This link has expired or has already been used' })
        .waitFor();
      expect(other.problems).toEqual([]);
    } finally {
      await other.context.close();
    }
  });

  it('says in words when too many reset mails were asked for one address', async () => {
    // The hour's allowance for this address is used up (through the SDK, as another tab would).
    const anyone = restClient(server.url);
    for (let i = 0; i < 5; i++) await anyone.requestPasswordReset({ email: 'someone@example.org' });
    const other = await person(browser, server.url);
    try {
      await other.page.goto('/forgot-password');
      await other.page.getByLabel('Email').fill('someone@example.org');
      await other.page.getByRole('button', { name: 'Send me a link' }).click();
      await other.page
        .getByRole('alert')
        .filter({ hasText: /^Too many attempts\. Try again in \d+ (minutes|hour)\.$/ })
        .waitFor();
      expect(other.problems).toEqual([]);
    } finally {
      await other.context.close();
    }
  });

  it('opens settings from the user panel on My account, and Escape goes back to the channel it was opened on', async () => {
    await a.getByRole('navigation', { name: 'Servers' }).getByRole('link', { name: 'Book Club' }).click();
    await a.waitForURL(`**/channels/${bookClubId}/*`);
    const channelUrl = a.url();
    await a.getByRole('button', { name: 'User settings' }).click();
    const account = section(a, 'My account');
    await account.getByText('ann@example.org').waitFor();
    await account.locator('dd', { hasText: /^ann$/ }).waitFor();
    await a.keyboard.press('Escape');
    await a.waitForURL(channelUrl);
    await a.getByRole('heading', { name: /general/ }).waitFor();
  });

  it('changes the email: pending until the link mailed to the new address is opened', async () => {
    await a.getByRole('button', { name: 'User settings' }).click();
    const form = a.getByRole('form', { name: 'Change email' });
    await form.getByLabel('New email').fill('ann.reads@example.org');
    await form.getByLabel('Password').fill(NEW_PASSWORD);
    await form.getByRole('button', { name: 'Change email' }).click();
    await form.getByRole('status').filter({ hasText: 'We sent a link to ann.reads@example.org' }).waitFor();
    await section(a, 'My account').getByText('ann.reads@example.org is pending confirmation').waitFor();
    await screenshot(a, 'settings-account');

    const confirm = await mail.mail((m) => m.to.includes('ann.reads@example.org'));
    await a.goto(linkIn(confirm, `${server.url}/confirm-email?token=`));
    await a.getByRole('status').filter({ hasText: 'Your email address is confirmed.' }).waitFor();
    await a.getByRole('link', { name: 'Open the app' }).click();
    await a.waitForURL('**/channels/@me');
    await a.getByRole('button', { name: 'User settings' }).click();
    const account = section(a, 'My account');
    await account.locator('dd', { hasText: 'ann.reads@example.org' }).waitFor();
    expect(await account.getByText('pending confirmation').count()).toBe(0);
  });

  it('refuses a wrong password in words', async () => {
    const form = a.getByRole('form', { name: 'Change password' });
    await form.getByLabel('Current password').fill('not my password');
    await form.getByLabel('New password', { exact: true }).fill(NEWER_PASSWORD);
    await form.getByLabel('Confirm new password').fill(NEWER_PASSWORD);
    await form.getByRole('button', { name: 'Change password' }).click();
    await form.getByRole('alert').filter({ hasText: 'That password is not right.' }).waitFor();
  });

  it('lists the sessions, this one tagged, and logs the other browser out', async () => {
    const b = await secondBrowser(NEW_PASSWORD);
    await nav(a).getByRole('link', { name: 'Sessions' }).click();
    const list = a.getByRole('list', { name: 'Sessions' });
    await expect.poll(() => list.getByRole('listitem').count()).toBe(2);
    const mine = list.getByRole('listitem').filter({ hasText: 'This device' });
    expect(await mine.count()).toBe(1);
    expect(await mine.textContent()).toMatch(/127\.0\.0\.1 · active now/);
    const other = list.getByRole('listitem').filter({ hasNotText: 'This device' });
    expect(await other.textContent()).toMatch(/127\.0\.0\.1 · last active (just now|\d+ minutes? ago)/);
    await screenshot(a, 'settings-sessions');

    await other.getByRole('button', { name: 'Log out' }).click();
    await b.waitForURL('**/login');
    await b.getByRole('status').filter({ hasText: 'You were logged out.' }).waitFor();
    await expect.poll(() => list.getByRole('listitem').count()).toBe(1);
  });

  it('logs out all other sessions at once', async () => {
    const b = await secondBrowser(NEW_PASSWORD);
    await nav(a).getByRole('link', { name: 'My account' }).click();
    await nav(a).getByRole('link', { name: 'Sessions' }).click();
    await section(a, 'Sessions').getByRole('button', { name: 'Log out all other sessions' }).click();
    await b.waitForURL('**/login');
    await b.getByRole('status').filter({ hasText: 'You were logged out.' }).waitFor();
    await expect.poll(() => a.getByRole('list', { name: 'Sessions' }).getByRole('listitem').count()).toBe(1);
  });

  it('changes the password: the other browser is logged out, this one stays', async () => {
    const b = await secondBrowser(NEW_PASSWORD);
    await nav(a).getByRole('link', { name: 'My account' }).click();
    const form = a.getByRole('form', { name: 'Change password' });
    await form.getByLabel('Current password').fill(NEW_PASSWORD);
    await form.getByLabel('New password', { exact: true }).fill(NEWER_PASSWORD);
    await form.getByLabel('Confirm new password').fill('a typo in it');
    await form.getByRole('button', { name: 'Change password' }).click();
    await form.getByRole('alert').filter({ hasText: 'The new passwords do not match.' }).waitFor();
    await form.getByLabel('Confirm new password').fill(NEWER_PASSWORD);
    await form.getByRole('button', { name: 'Change password' }).click();
    await form.getByRole('status').filter({ hasText: 'Your password has been changed.' }).waitFor();

    await b.waitForURL('**/login');
    await b.getByRole('status').filter({ hasText: 'You were logged out.' }).waitFor();
    // This browser is still in: its settings still load what only a session may read.
    await nav(a).getByRole('link', { name: 'Sessions' }).click();
    await expect.poll(() => a.getByRole('list', { name: 'Sessions' }).getByRole('listitem').count()).toBe(1);
    await restClient(server.url).login({ username: 'ann', password: NEWER_PASSWORD });
  });

  it('downloads everything about me as one file', async () => {
    await nav(a).getByRole('link', { name: 'My account' }).click();
    const [download] = await Promise.all([
      a.waitForEvent('download'),
      section(a, 'My account').getByRole('link', { name: 'Download my data' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^decentra-ann-\d{4}-\d{2}-\d{2}\.json$/);
    const path = await download.path();
    const data = AccountExportSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
    expect(data.user.username).toBe('ann');
    expect(data.servers.map((s) => s.name)).toContain('Book Club');
  });

  it('deletes the account, handing one server to a member and deleting the other', async () => {
    await nav(a).getByRole('link', { name: 'Delete account' }).click();
    const form = a.getByRole('form', { name: 'Delete account' });
    const bookClub = form.getByLabel('Book Club');
    await bookClub.locator('option', { hasText: 'Hand it to ben' }).waitFor({ state: 'attached' });
    await bookClub.selectOption({ label: 'Hand it to ben' });
    expect(await form.getByLabel('Solo').inputValue()).toBe('');
    await form.getByLabel('Password').fill(NEWER_PASSWORD);
    await form.getByRole('button', { name: 'Delete my account' }).click();
    const confirm = a.getByRole('dialog', { name: 'Delete your account?' });
    await confirm.getByText('1 server deleted, 1 server handed to a member.').waitFor();
    await confirm.getByRole('button', { name: 'Delete my account' }).click();

    await a.waitForURL('**/login');
    await a.getByRole('status').filter({ hasText: 'Your account has been deleted.' }).waitFor();
    const servers = await ben.rest.listServers();
    expect(servers.map((s) => [s.name, s.ownerId])).toEqual([['Book Club', ben.id]]);
    await a.getByLabel('Username').fill('ann');
    await a.getByLabel('Password').fill(NEWER_PASSWORD);
    await a.getByRole('button', { name: 'Log in' }).click();
    await a.getByRole('alert').waitFor();
  });
});
