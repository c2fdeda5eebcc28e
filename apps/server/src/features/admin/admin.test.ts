import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SmtpSettingsInput } from '@decentra/protocol';
import { sql } from 'drizzle-orm';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, api } from '../../../test/http.js';
import { privateCaCertificate } from '../../../test/mail-server.js';
import { PASSWORD, type Person, people, refused, restClient } from '../../../test/people.js';
import { startTestServer, type TestServer } from '../../../test/test-server.js';

/** A real SMTP server on loopback that wants a login and keeps every mail it is given. */
let smtp: SMTPServer;
let smtpPort: number;
const inbox: ParsedMail[] = [];
const logins: Array<{ username: string; password: string }> = [];

let server: TestServer;
/** Raw HTTP, only for bodies the SDK's types would not let through. */
let http: Api;
let admin: Person;
let member: Person;

async function waitForMail(count: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (inbox.length < count) {
    if (Date.now() > deadline) throw new Error(`expected ${count} mails, got ${inbox.length}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  smtp = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authOptional: false,
    onAuth(auth, _session, cb) {
      logins.push({ username: auth.username ?? '', password: auth.password ?? '' });
      if (auth.username === 'mailer' && auth.password === 's3cret-pass') cb(null, { user: 'mailer' });
      else cb(new Error('Invalid username or password'));
    },
    onData(stream, _session, cb) {
      simpleParser(stream)
        .then((mail) => {
          inbox.push(mail);
          cb();
        })
        .catch(cb);
    },
  });
  smtp.listen(0, '127.0.0.1');
  await once(smtp.server, 'listening');
  smtpPort = (smtp.server.address() as AddressInfo).port;
  server = await startTestServer();
  http = api(server.url);
  // The admin has an email (the SMTP test mails it by default), so not through people().
  const rest = restClient(server.url);
  const { token, user } = await rest.signup({
    username: 'admin',
    password: PASSWORD,
    email: 'admin@example.test',
  });
  admin = { id: user.id, username: user.username, token, rest };
  [member] = await people(server.url, ['member'], admin);
});
afterAll(async () => {
  await server.close();
  await new Promise<void>((r) => smtp.close(() => r()));
});

const smtpInput = (password?: string | null): { smtp: SmtpSettingsInput } => ({
  smtp: {
    enabled: true,
    host: '127.0.0.1',
    port: smtpPort,
    security: 'none',
    username: 'mailer',
    ...(password === undefined ? {} : { password }),
    fromAddress: 'decentra@example.test',
    fromName: 'Decentra Test',
  },
});

describe('admin settings', () => {
  it('are the admin’s alone', async () => {
    expect((await refused(member.rest.getAdminSettings())).status).toBe(403);
    expect((await refused(member.rest.putAdminSettings(smtpInput('x')))).status).toBe(403);
    expect((await refused(member.rest.testSmtp({}))).status).toBe(403);
    expect((await refused(restClient(server.url).getAdminSettings())).status).toBe(401);
  });

  it('start disabled; a test says so', async () => {
    const settings = await admin.rest.getAdminSettings();
    expect(settings.smtp).toMatchObject({ enabled: false, passwordSet: false });
    const test = await admin.rest.testSmtp({});
    expect(test.ok).toBe(false);
    expect(test.error).toMatch(/not set up/);
  });

  it('store the SMTP password encrypted, never answer it, and keep it when omitted', async () => {
    // As sent: the validating client would drop a stray key before we could look for the password.
    const saved = await restClient(server.url, admin.token).putAdminSettings(smtpInput('s3cret-pass'));
    expect(saved.smtp).toMatchObject({ enabled: true, port: smtpPort, passwordSet: true });
    expect(JSON.stringify(saved)).not.toContain('s3cret-pass');
    const raw = (await server.app.storage.db.execute(
      sql`select value::text as v from instance_settings`,
    )) as unknown as {
      rows: Array<{ v: string }>;
    };
    expect(raw.rows[0]?.v).not.toContain('s3cret-pass');
    expect(raw.rows[0]?.v).toMatch(/"passwordSealed": ?"v1\./);
    const kept = await admin.rest.putAdminSettings(smtpInput());
    expect(kept.smtp.passwordSet).toBe(true);
  });

  it('test the connection with a real mail, through the decrypted password', async () => {
    const before = inbox.length;
    expect(await admin.rest.testSmtp({ to: 'someone@example.test' })).toEqual({ ok: true });
    await waitForMail(before + 1);
    const mail = inbox[before] as ParsedMail;
    expect(mail.subject).toBe('Decentra test email');
    expect(mail.from?.text).toContain('decentra@example.test');
    expect(JSON.stringify(mail.to)).toContain('someone@example.test');
    expect(logins.at(-1)).toEqual({ username: 'mailer', password: 's3cret-pass' });
  });

  it('report a failing server in words, without throwing', async () => {
    await admin.rest.putAdminSettings(smtpInput('wrong-pass'));
    const test = await admin.rest.testSmtp({});
    expect(test.ok).toBe(false);
    expect(test.error).toMatch(/Invalid username or password|auth/i);
    await admin.rest.putAdminSettings(smtpInput('s3cret-pass'));
  });

  it('send a welcome mail to a new account that gave an email', async () => {
    const before = inbox.length;
    const { code } = await admin.rest.createInvite();
    await restClient(server.url).signup({
      username: 'newbie',
      password: PASSWORD,
      email: 'newbie@example.test',
      inviteCode: code,
    });
    await waitForMail(before + 1);
    expect(inbox[before]?.subject).toBe('Welcome to Decentra');
    expect(inbox[before]?.text).toContain('newbie');
  });

  it('refuse bad SMTP settings, and keep what was saved', async () => {
    const saved = await admin.rest.getAdminSettings();
    // Values the SDK's types allow, out of range:
    for (const smtp of [
      { ...smtpInput().smtp, port: 0 },
      { ...smtpInput().smtp, fromAddress: 'not-an-address' },
    ]) {
      expect((await refused(admin.rest.putAdminSettings({ smtp }))).status).toBe(400);
    }
    // Values its types would not let through: sent raw.
    for (const smtp of [
      { ...smtpInput().smtp, security: 'ssl' },
      { ...smtpInput().smtp, extra: true },
    ]) {
      expect((await http.put('/api/admin/settings', { smtp }, { token: admin.token })).status).toBe(400);
    }
    expect(await admin.rest.getAdminSettings()).toEqual(saved);
  });
});

describe('unsaved SMTP settings', () => {
  it('are tested as given, the stored password standing in when omitted; nothing is saved', async () => {
    const saved = await admin.rest.getAdminSettings();
    const before = inbox.length;
    const unsaved = { ...smtpInput().smtp, fromName: 'Unsaved Form', enabled: false };
    expect(await admin.rest.testSmtp({ to: 'form@example.test', smtp: unsaved })).toEqual({ ok: true });
    await waitForMail(before + 1);
    expect(inbox[before]?.from?.text).toContain('Unsaved Form');
    expect(JSON.stringify(inbox[before]?.to)).toContain('form@example.test');
    expect(logins.at(-1)).toEqual({ username: 'mailer', password: 's3cret-pass' });

    const wrong = await admin.rest.testSmtp({ smtp: smtpInput('typo-pass').smtp });
    expect(wrong.ok).toBe(false);
    expect(wrong.error).toMatch(/Invalid username or password/);
    expect(logins.at(-1)).toEqual({ username: 'mailer', password: 'typo-pass' });
    // null: no password at all, whatever is stored (nodemailer then does not even try the login).
    const tried = logins.length;
    const none = await admin.rest.testSmtp({ smtp: smtpInput(null).smtp });
    expect(none).toEqual({ ok: false, error: expect.stringMatching(/credentials/i) });
    expect(logins.length).toBe(tried);
    expect(await admin.rest.getAdminSettings()).toEqual(saved);
  });

  it('are refused when malformed', async () => {
    for (const body of [
      { smtp: { ...smtpInput().smtp, port: 70000 } },
      { smtp: { ...smtpInput().smtp, security: 'ssl' } },
      { to: 'not-an-address' },
      { extra: true },
    ]) {
      expect((await http.post('/api/admin/smtp/test', body, { token: admin.token })).status).toBe(400);
    }
  });
});

describe('instance settings and the welcome mail', () => {
  it('start at the defaults and are replaced section by section', async () => {
    const before = await admin.rest.getAdminSettings();
    expect(before.instance).toEqual({ name: 'Decentra', registration: 'invite' });
    expect(before.welcome.enabled).toBe(true);
    const saved = await admin.rest.putAdminSettings({
      instance: { name: '  Harbour  ', registration: 'invite' },
    });
    expect(saved).toEqual({ ...before, instance: { name: 'Harbour', registration: 'invite' } });
    const welcome = {
      enabled: true,
      subject: 'Hi {username}, welcome to {instance}',
      text: 'Dear {username},\n{instance} is at {url}. {nothing} stays.\n',
    };
    const both = await admin.rest.putAdminSettings({ welcome });
    expect(both).toEqual({ ...saved, welcome });
    expect(await admin.rest.getAdminSettings()).toEqual(both);
  });

  it('tell anyone the name and registration mode, and that password reset by mail works', async () => {
    expect(await restClient(server.url).getInstance()).toEqual({
      name: 'Harbour',
      registration: 'invite',
      needsSetup: false,
      passwordReset: true,
    });
  });

  it('make the welcome mail: the template filled with the name, the instance and the public URL', async () => {
    const before = inbox.length;
    const { code } = await admin.rest.createInvite();
    await restClient(server.url).signup({
      username: 'sailor',
      password: PASSWORD,
      email: 'sailor@example.test',
      inviteCode: code,
    });
    await waitForMail(before + 1);
    const mail = inbox[before] as ParsedMail;
    expect(JSON.stringify(mail.to)).toContain('sailor@example.test');
    expect(mail.subject).toBe('Hi sailor, welcome to Harbour');
    expect(mail.text?.trim()).toBe('Dear sailor,\nHarbour is at http://decentra.test. {nothing} stays.');
  });

  it('send no welcome mail while it is off', async () => {
    const settings = await admin.rest.getAdminSettings();
    await admin.rest.putAdminSettings({ welcome: { ...settings.welcome, enabled: false } });
    const before = inbox.length;
    const { code } = await admin.rest.createInvite();
    await restClient(server.url).signup({
      username: 'quiet',
      password: PASSWORD,
      email: 'quiet@example.test',
      inviteCode: code,
    });
    // The next mail the server sends is the test mail, not a welcome for quiet.
    expect((await admin.rest.testSmtp({ to: 'marker@example.test' })).ok).toBe(true);
    await waitForMail(before + 1);
    await admin.rest.putAdminSettings({ welcome: { ...settings.welcome, enabled: true } });
    const { code: next } = await admin.rest.createInvite();
    await restClient(server.url).signup({
      username: 'loud',
      password: PASSWORD,
      email: 'loud@example.test',
      inviteCode: next,
    });
    await waitForMail(before + 2);
    const recipients = inbox.slice(before).map((m) => JSON.stringify(m.to));
    expect(recipients.some((r) => r.includes('marker@example.test'))).toBe(true);
    expect(recipients.some((r) => r.includes('loud@example.test'))).toBe(true);
    expect(recipients.some((r) => r.includes('quiet@example.test'))).toBe(false);
  });

  it('sign mails with the instance name when the From name is empty; the test mail names it', async () => {
    await admin.rest.putAdminSettings({ smtp: { ...smtpInput().smtp, fromName: '' } });
    const before = inbox.length;
    expect((await admin.rest.testSmtp({})).ok).toBe(true);
    await waitForMail(before + 1);
    const mail = inbox[before] as ParsedMail;
    expect(mail.from?.value[0]).toEqual({ name: 'Harbour', address: 'decentra@example.test' });
    expect(mail.subject).toBe('Harbour test email');
    expect(JSON.stringify(mail.to)).toContain('admin@example.test');
  });

  it('refuse bad sections and keep what was saved', async () => {
    const saved = await admin.rest.getAdminSettings();
    for (const body of [
      { instance: { name: '', registration: 'open' } },
      { instance: { name: 'a'.repeat(65), registration: 'open' } },
      { instance: { name: 'Line\nbreak', registration: 'open' } },
      { instance: { name: 'Ok', registration: 'everyone' } },
      { instance: { name: 'Ok' } },
      { welcome: { enabled: true, subject: '', text: 'x' } },
      { welcome: { enabled: true, subject: 'x', text: 'a\u0000b' } },
      { welcome: { enabled: true, subject: 'x', text: 'x'.repeat(5001) } },
      { other: {} },
    ]) {
      expect((await http.put('/api/admin/settings', body, { token: admin.token })).status).toBe(400);
    }
    expect(await admin.rest.getAdminSettings()).toEqual(saved);
  });
});

describe('a mail server with a private CA (DECENTRA_SMTP_CA_FILE)', () => {
  let tlsSmtp: SMTPServer;
  let tlsPort: number;
  const tlsInbox: ParsedMail[] = [];
  const secured: boolean[] = [];
  let withCa: TestServer;
  let withCaAdmin: Person;

  beforeAll(async () => {
    const { caPem, key, cert } = await privateCaCertificate();
    tlsSmtp = new SMTPServer({
      secure: false,
      key,
      cert,
      authOptional: false,
      onAuth(auth, session, cb) {
        secured.push(session.secure);
        if (auth.username === 'tls-user' && auth.password === 'tls-pass') cb(null, { user: 'tls-user' });
        else cb(new Error('Invalid username or password'));
      },
      onData(stream, _session, cb) {
        simpleParser(stream)
          .then((mail) => {
            tlsInbox.push(mail);
            cb();
          })
          .catch(cb);
      },
    });
    tlsSmtp.listen(0, '127.0.0.1');
    await once(tlsSmtp.server, 'listening');
    tlsPort = (tlsSmtp.server.address() as AddressInfo).port;
    const caFile = join(mkdtempSync(join(tmpdir(), 'decentra-ca-')), 'ca.pem');
    writeFileSync(caFile, caPem);
    withCa = await startTestServer({ config: { smtpCaFile: caFile } });
    const rest = restClient(withCa.url);
    const { token, user } = await rest.signup({
      username: 'tlsadmin',
      password: PASSWORD,
      email: 'tls@example.test',
    });
    withCaAdmin = { id: user.id, username: user.username, token, rest };
  });
  afterAll(async () => {
    await withCa.close();
    await new Promise<void>((r) => tlsSmtp.close(() => r()));
  });

  const starttls = (): SmtpSettingsInput => ({
    enabled: true,
    host: '127.0.0.1',
    port: tlsPort,
    security: 'starttls',
    username: 'tls-user',
    password: 'tls-pass',
    fromAddress: 'decentra@example.test',
    fromName: '',
  });

  it('is trusted with the CA file: STARTTLS, then the login, then the mail', async () => {
    expect(await withCaAdmin.rest.testSmtp({ smtp: starttls() })).toEqual({ ok: true });
    const deadline = Date.now() + 10_000;
    while (tlsInbox.length < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(tlsInbox[0]?.subject).toBe('Decentra test email');
    expect(JSON.stringify(tlsInbox[0]?.to)).toContain('tls@example.test');
    expect(secured).toEqual([true]);
  });

  it('is refused without it (the certificate is not one the system trusts)', async () => {
    const test = await admin.rest.testSmtp({ smtp: starttls() });
    expect(test.ok).toBe(false);
    expect(test.error).toMatch(/certificate/i);
    expect(secured).toEqual([true]);
  });
});
