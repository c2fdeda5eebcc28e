import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { SmtpSettingsInput } from '@decentra/protocol';
import { sql } from 'drizzle-orm';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, api } from '../../../test/http.js';
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
