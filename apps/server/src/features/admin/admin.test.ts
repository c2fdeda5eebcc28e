import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { AdminSettings } from '@decentra/protocol';
import { sql } from 'drizzle-orm';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeUsers, type TestUser } from '../../../test/factories.js';
import { type Api, api } from '../../../test/http.js';
import { startTestServer, type TestServer } from '../../../test/test-server.js';

/** A real SMTP server on loopback that wants a login and keeps every mail it is given. */
let smtp: SMTPServer;
let smtpPort: number;
const inbox: ParsedMail[] = [];
const logins: Array<{ username: string; password: string }> = [];

let server: TestServer;
let http: Api;
let admin: TestUser;
let member: TestUser;

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
  const made = await http.post<{ token: string; user: { id: string } }>('/api/auth/signup', {
    username: 'admin',
    password: 'password123',
    email: 'admin@example.test',
  });
  admin = { token: made.body.token, id: made.body.user.id, username: 'admin' };
  [member] = await makeUsers(http, ['member'], admin);
});
afterAll(async () => {
  await server.close();
  await new Promise<void>((r) => smtp.close(() => r()));
});

const smtpInput = (password?: string | null) => ({
  smtp: {
    enabled: true,
    host: '127.0.0.1',
    port: smtpPort,
    security: 'none' as const,
    username: 'mailer',
    ...(password === undefined ? {} : { password }),
    fromAddress: 'decentra@example.test',
    fromName: 'Decentra Test',
  },
});

describe('admin settings', () => {
  it('are the admin’s alone', async () => {
    expect((await http.get('/api/admin/settings', { token: member.token })).status).toBe(403);
    expect((await http.put('/api/admin/settings', smtpInput('x'), { token: member.token })).status).toBe(403);
    expect((await http.post('/api/admin/smtp/test', {}, { token: member.token })).status).toBe(403);
    expect((await http.get('/api/admin/settings')).status).toBe(401);
  });

  it('start disabled; a test says so', async () => {
    const res = await http.get<AdminSettings>('/api/admin/settings', { token: admin.token });
    expect(res.body.smtp).toMatchObject({ enabled: false, passwordSet: false });
    const test = await http.post<{ ok: boolean; error?: string }>(
      '/api/admin/smtp/test',
      {},
      { token: admin.token },
    );
    expect(test.body.ok).toBe(false);
    expect(test.body.error).toMatch(/not set up/);
  });

  it('store the SMTP password encrypted, never answer it, and keep it when omitted', async () => {
    const saved = await http.put<AdminSettings>('/api/admin/settings', smtpInput('s3cret-pass'), {
      token: admin.token,
    });
    expect(saved.status).toBe(200);
    expect(saved.body.smtp).toMatchObject({ enabled: true, port: smtpPort, passwordSet: true });
    expect(JSON.stringify(saved.body)).not.toContain('s3cret-pass');
    const raw = (await server.app.storage.db.execute(
      sql`select value::text as v from instance_settings`,
    )) as unknown as {
      rows: Array<{ v: string }>;
    };
    expect(raw.rows[0]?.v).not.toContain('s3cret-pass');
    expect(raw.rows[0]?.v).toMatch(/"passwordSealed": ?"v1\./);
    const kept = await http.put<AdminSettings>('/api/admin/settings', smtpInput(), { token: admin.token });
    expect(kept.body.smtp.passwordSet).toBe(true);
  });

  it('test the connection with a real mail, through the decrypted password', async () => {
    const before = inbox.length;
    const res = await http.post<{ ok: boolean; error?: string }>(
      '/api/admin/smtp/test',
      { to: 'someone@example.test' },
      { token: admin.token },
    );
    expect(res.body).toEqual({ ok: true });
    await waitForMail(before + 1);
    const mail = inbox[before] as ParsedMail;
    expect(mail.subject).toBe('Decentra test email');
    expect(mail.from?.text).toContain('decentra@example.test');
    expect(JSON.stringify(mail.to)).toContain('someone@example.test');
    expect(logins.at(-1)).toEqual({ username: 'mailer', password: 's3cret-pass' });
  });

  it('report a failing server in words, without throwing', async () => {
    await http.put('/api/admin/settings', smtpInput('wrong-pass'), { token: admin.token });
    const res = await http.post<{ ok: boolean; error?: string }>(
      '/api/admin/smtp/test',
      {},
      { token: admin.token },
    );
    expect(res.body.ok).toBe(false);
    expect(res.body.error).toMatch(/Invalid username or password|auth/i);
    await http.put('/api/admin/settings', smtpInput('s3cret-pass'), { token: admin.token });
  });

  it('send a welcome mail to a new account that gave an email', async () => {
    const before = inbox.length;
    const code = (await http.post<{ code: string }>('/api/invites', undefined, { token: admin.token })).body
      .code;
    const res = await http.post('/api/auth/signup', {
      username: 'newbie',
      password: 'password123',
      email: 'newbie@example.test',
      inviteCode: code,
    });
    expect(res.status).toBe(201);
    await waitForMail(before + 1);
    expect(inbox[before]?.subject).toBe('Welcome to Decentra');
    expect(inbox[before]?.text).toContain('newbie');
  });

  it('refuse bad SMTP settings', async () => {
    for (const smtpBody of [
      { ...smtpInput().smtp, port: 0 },
      { ...smtpInput().smtp, security: 'ssl' },
      { ...smtpInput().smtp, fromAddress: 'not-an-address' },
      { ...smtpInput().smtp, extra: true },
    ]) {
      expect((await http.put('/api/admin/settings', { smtp: smtpBody }, { token: admin.token })).status).toBe(
        400,
      );
    }
  });
});
