import { CLOSE_CODES } from '@decentra/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, api } from '../../../test/http.js';
import { linkIn, TestMailServer } from '../../../test/mail-server.js';
import { ManualClock } from '../../../test/manual-clock.js';
import { PASSWORD, type Person, people, refused, restClient } from '../../../test/people.js';
import { startTestServer, type TestServer } from '../../../test/test-server.js';
import { TestSocket } from '../../../test/ws-client.js';

const NEW_PASSWORD = 'a fresh password';
const RESET = /^Reset your password/;

const clock = new ManualClock();
let server: TestServer;
let http: Api;
let mail: TestMailServer;
let admin: Person;

beforeAll(async () => {
  mail = await TestMailServer.start();
  server = await startTestServer({ clock });
  http = api(server.url);
  [admin] = await people(server.url, ['admin']);
});
afterAll(async () => {
  await server.close();
  await mail.close();
});

/** A new account with an email address (signed up with a code from the admin). */
async function withEmail(username: string, email?: string): Promise<Person> {
  const { code } = await admin.rest.createInvite();
  const rest = restClient(server.url);
  const { token, user } = await rest.signup({
    username,
    password: PASSWORD,
    inviteCode: code,
    ...(email ? { email } : {}),
  });
  return { id: user.id, username, token, rest };
}

const login = (username: string, password: string) =>
  http.request('POST', '/api/auth/login', { username, password });

/** Asks for a reset of `email` and answers the token of the link mailed to it. */
async function resetLink(email: string): Promise<string> {
  const from = mail.inbox.length;
  await restClient(server.url).requestPasswordReset({ email });
  const link = linkIn(await mail.mailTo(email, from, RESET), server.url);
  expect(link.pathname).toBe('/reset-password');
  return link.searchParams.get('token') ?? '';
}

describe('password reset', () => {
  it('is unavailable (503) while SMTP is off', async () => {
    await withEmail('early', 'early@example.test');
    const err = await refused(restClient(server.url).requestPasswordReset({ email: 'early@example.test' }));
    expect(err.status).toBe(503);
    expect(err.code).toBe('unavailable');
  });

  it('mails a link that sets a new password once and closes every session', async () => {
    await admin.rest.putAdminSettings(mail.settings());
    const mona = await withEmail('mona', 'mona@example.test');
    const other = await login('mona', PASSWORD);
    const sockets = await Promise.all(
      [mona.token, (other.body as { token: string }).token].map(
        async (t) => (await TestSocket.identified(server.wsUrl, t)).socket,
      ),
    );

    const from = mail.inbox.length;
    await restClient(server.url).requestPasswordReset({ email: 'MONA@example.test' });
    const letter = await mail.mailTo('mona@example.test', from, RESET);
    expect(letter.subject).toBe('Reset your password on Decentra');
    expect(letter.text).toContain('"mona"');
    expect(letter.text).toContain('valid for one hour');
    const link = linkIn(letter, server.url);
    expect(link.origin).toBe(server.url);
    const token = link.searchParams.get('token') ?? '';

    // Bad input changes nothing: the token still works afterwards.
    const short = await http.request('POST', '/api/auth/password-reset/confirm', { token, password: 'x' });
    expect(short.status).toBe(400);

    await restClient(server.url).confirmPasswordReset({ token, password: NEW_PASSWORD });
    for (const socket of sockets) expect((await socket.closed).code).toBe(CLOSE_CODES.sessionRevoked);
    expect((await refused(mona.rest.me())).status).toBe(401);
    expect((await login('mona', PASSWORD)).status).toBe(401);
    expect((await login('mona', NEW_PASSWORD)).status).toBe(200);

    const again = await refused(
      restClient(server.url).confirmPasswordReset({ token, password: 'yet another one' }),
    );
    expect(again.status).toBe(403);
    expect(again.message).toBe('This link has expired or was already used.');
    expect((await login('mona', NEW_PASSWORD)).status).toBe(200);
  });

  it('spends every other reset link of the account when one is used', async () => {
    await withEmail('nina', 'nina@example.test');
    const first = await resetLink('nina@example.test');
    const second = await resetLink('nina@example.test');
    await restClient(server.url).confirmPasswordReset({ token: second, password: NEW_PASSWORD });
    const err = await refused(
      restClient(server.url).confirmPasswordReset({ token: first, password: 'not this one' }),
    );
    expect(err.status).toBe(403);
    expect((await login('nina', NEW_PASSWORD)).status).toBe(200);
  });

  it('works once when used twice at the same moment', async () => {
    await withEmail('olly', 'olly@example.test');
    const token = await resetLink('olly@example.test');
    const tries = await Promise.allSettled(
      ['first password', 'second password'].map((password) =>
        restClient(server.url).confirmPasswordReset({ token, password }),
      ),
    );
    expect(tries.map((t) => t.status).sort()).toEqual(['fulfilled', 'rejected']);
    const won = tries[0]?.status === 'fulfilled' ? 'first password' : 'second password';
    expect((await login('olly', won)).status).toBe(200);
  });

  it('expires after one hour, changing nothing', async () => {
    await withEmail('omar', 'omar@example.test');
    const token = await resetLink('omar@example.test');
    clock.advance(60 * 60 * 1000 + 1);
    const err = await refused(restClient(server.url).confirmPasswordReset({ token, password: NEW_PASSWORD }));
    expect(err.status).toBe(403);
    expect((await login('omar', PASSWORD)).status).toBe(200);
  });

  it('answers the same for an unknown address and mails nothing to it', async () => {
    await withEmail('pia', 'pia@example.test');
    const from = mail.inbox.length;
    const unknown = await http.request('POST', '/api/auth/password-reset', { email: 'nobody@example.test' });
    const known = await http.request('POST', '/api/auth/password-reset', { email: 'pia@example.test' });
    expect(unknown.status).toBe(204);
    expect(known.status).toBe(204);
    expect(unknown.body).toEqual(known.body);
    // The known address's mail was asked for after the unknown one: once it is here, any mail the
    // unknown one could have caused would be too.
    await mail.mailTo('pia@example.test', from, RESET);
    expect(mail.inbox.slice(from).map((m) => JSON.stringify(m.to))).not.toContain('nobody@example.test');
    expect(mail.inbox.slice(from).filter((m) => RESET.test(m.subject ?? ''))).toHaveLength(1);
  });

  it('refuses bad input with 400', async () => {
    expect((await http.request('POST', '/api/auth/password-reset', { email: 'nope' })).status).toBe(400);
    expect(
      (
        await http.request('POST', '/api/auth/password-reset/confirm', {
          token: '!!',
          password: NEW_PASSWORD,
        })
      ).status,
    ).toBe(400);
  });
});

describe('an admin’s password reset', () => {
  it('mails the link when SMTP is on and the account has an address', async () => {
    const quinn = await withEmail('quinn', 'quinn@example.test');
    const from = mail.inbox.length;
    expect(await admin.rest.adminResetPassword({ userId: quinn.id })).toEqual({ delivery: 'mail' });
    const token =
      linkIn(await mail.mailTo('quinn@example.test', from, RESET), server.url).searchParams.get('token') ??
      '';
    await restClient(server.url).confirmPasswordReset({ token, password: NEW_PASSWORD });
    expect((await login('quinn', NEW_PASSWORD)).status).toBe(200);
  });

  it('hands the link over when the account has no address', async () => {
    const rosa = await withEmail('rosa');
    const answer = await admin.rest.adminResetPassword({ userId: rosa.id });
    expect(answer.delivery).toBe('link');
    expect(answer.url).toMatch(/^http:\/\/decentra\.test\/reset-password\?token=/);
    const token = new URL(answer.url ?? '').searchParams.get('token') ?? '';
    await restClient(server.url).confirmPasswordReset({ token, password: NEW_PASSWORD });
    expect((await login('rosa', NEW_PASSWORD)).status).toBe(200);
  });

  it('hands the link over when SMTP is off, and is the admin’s alone', async () => {
    const sam = await withEmail('sam', 'sam@example.test');
    await admin.rest.putAdminSettings({ smtp: { ...mail.settings().smtp, enabled: false } });
    try {
      expect((await admin.rest.adminResetPassword({ userId: sam.id })).delivery).toBe('link');
    } finally {
      await admin.rest.putAdminSettings(mail.settings());
    }
    expect((await refused(sam.rest.adminResetPassword({ userId: admin.id }))).status).toBe(403);
    expect((await refused(admin.rest.adminResetPassword({ userId: '12345' }))).status).toBe(404);
  });
});

describe('limits', () => {
  let limited: TestServer;
  let limitedAdmin: Person;

  beforeAll(async () => {
    limited = await startTestServer({
      mailLimits: { resetsPerEmail: 2, resetsPerClient: 4, linkAttemptsPerClient: 3 },
    });
    [limitedAdmin] = await people(limited.url, ['admin']);
    await limitedAdmin.rest.putAdminSettings(mail.settings());
  });
  afterAll(async () => {
    await limited.close();
  });

  it('count requests per email address and per client address (429)', async () => {
    const visitor = restClient(limited.url);
    await visitor.requestPasswordReset({ email: 'one@example.test' });
    await visitor.requestPasswordReset({ email: 'ONE@example.test' });
    const perEmail = await refused(visitor.requestPasswordReset({ email: 'one@example.test' }));
    expect(perEmail.status).toBe(429);
    expect(perEmail.retryAfter).toBeGreaterThan(0);
    await visitor.requestPasswordReset({ email: 'two@example.test' });
    // The refused one counted for the client too: four asked, the fifth is refused.
    expect((await refused(visitor.requestPasswordReset({ email: 'three@example.test' }))).status).toBe(429);
  });

  it('count link attempts per client address', async () => {
    const visitor = restClient(limited.url);
    for (let i = 0; i < 3; i++) {
      const err = await refused(
        visitor.confirmPasswordReset({ token: `${'x'.repeat(40)}${i}`, password: NEW_PASSWORD }),
      );
      expect(err.status).toBe(403);
    }
    expect((await refused(visitor.confirmEmail({ token: 'y'.repeat(43) }))).status).toBe(429);
  });
});
