import { CLOSE_CODES, type LoginSession } from '@decentra/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, api } from '../../../test/http.js';
import { linkIn, TestMailServer } from '../../../test/mail-server.js';
import { ManualClock } from '../../../test/manual-clock.js';
import { PASSWORD, type Person, people, refused, restClient } from '../../../test/people.js';
import { startTestServer, type TestServer } from '../../../test/test-server.js';
import { TestSocket } from '../../../test/ws-client.js';

const FIREFOX = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0';
const ANDROID_CHROME =
  'Mozilla/5.0 (Linux; Android 15; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36';

const clock = new ManualClock();
let server: TestServer;
let http: Api;
let mail: TestMailServer;
let admin: Person;

beforeAll(async () => {
  mail = await TestMailServer.start();
  server = await startTestServer({ clock, throttle: { perAccountAddress: 3 } });
  http = api(server.url);
  [admin] = await people(server.url, ['admin']);
});
afterAll(async () => {
  await server.close();
  await mail.close();
});

/** A login from a browser with this user agent; its token. */
async function loginFrom(username: string, userAgent: string, password = PASSWORD): Promise<string> {
  const res = await http.request<{ token: string }>(
    'POST',
    '/api/auth/login',
    { username, password },
    { headers: { 'user-agent': userAgent } },
  );
  expect(res.status).toBe(200);
  return res.body.token;
}

async function newPerson(name: string): Promise<Person> {
  const [person] = await people(server.url, [name], admin);
  return person;
}

const find = (list: LoginSession[], pred: (s: LoginSession) => boolean) => {
  const found = list.find(pred);
  if (!found) throw new Error('no such session in the list');
  return found;
};

describe('login sessions', () => {
  it('list browser and system from the user agent, the address and which one is this', async () => {
    const alice = await newPerson('alice');
    const firefox = await loginFrom('alice', FIREFOX);
    await loginFrom('alice', ANDROID_CHROME);
    const list = await restClient(server.url, firefox).listSessions();
    expect(list).toHaveLength(3);
    const current = find(list, (s) => s.current);
    expect(current).toMatchObject({ browser: 'Firefox 133', os: 'Windows 10', address: '127.0.0.1' });
    expect(list.filter((s) => s.current)).toHaveLength(1);
    expect(find(list, (s) => s.os.startsWith('Android'))).toMatchObject({
      browser: 'Chrome 131',
      os: 'Android 15',
    });
    // people() signs up through Node's fetch, whose user agent names no browser.
    expect(list.map((s) => s.browser)).toContain('Unknown browser');
    expect(list.map((s) => s.os)).toContain('Unknown system');
    expect((await alice.rest.listSessions()).find((s) => s.current)?.id).not.toBe(current.id);
  });

  it('move last activity when used, at most once a minute, and list the newest activity first', async () => {
    const bob = await newPerson('bob');
    const firefox = await loginFrom('bob', FIREFOX);
    const viaFirefox = restClient(server.url, firefox);
    clock.advance(30_000);
    await bob.rest.me();
    const before = await viaFirefox.listSessions();
    const signup = find(before, (s) => !s.current);
    // Used within the minute of its creation: not written again.
    expect(signup.lastActiveAt).toBe(signup.createdAt);
    clock.advance(61_000);
    await bob.rest.me();
    const after = await bob.rest.listSessions();
    expect(after[0]?.id).toBe(signup.id);
    expect(after[0]?.lastActiveAt).toBe(new Date(clock.now()).toISOString());
    // The gateway's identify counts as a use too.
    clock.advance(61_000);
    const { socket } = await TestSocket.identified(server.wsUrl, firefox);
    const last = await bob.rest.listSessions();
    expect(last[0]).toMatchObject({
      browser: 'Firefox 133',
      lastActiveAt: new Date(clock.now()).toISOString(),
    });
    socket.close();
  });

  it('revoke one: its sockets close with 4009 and its token stops working; only my own', async () => {
    const carol = await newPerson('carol');
    const dave = await newPerson('dave');
    const phone = await loginFrom('carol', ANDROID_CHROME);
    const { socket } = await TestSocket.identified(server.wsUrl, phone);
    const list = await carol.rest.listSessions();
    const target = find(list, (s) => s.browser === 'Chrome 131');
    // Someone else's session is not found for me, and stays.
    expect((await refused(dave.rest.revokeSession({ sessionId: target.id }))).status).toBe(404);
    expect((await refused(dave.rest.revokeSession({ sessionId: '123' }))).status).toBe(404);
    await restClient(server.url, phone).me();
    await carol.rest.revokeSession({ sessionId: target.id });
    expect((await socket.closed).code).toBe(CLOSE_CODES.sessionRevoked);
    expect((await refused(restClient(server.url, phone).me())).status).toBe(401);
    expect((await refused(carol.rest.revokeSession({ sessionId: target.id }))).status).toBe(404);
    expect(await carol.rest.listSessions()).toHaveLength(1);
  });

  it('revoke every other: this one stays', async () => {
    const erin = await newPerson('erin');
    const a = await loginFrom('erin', FIREFOX);
    const b = await loginFrom('erin', ANDROID_CHROME);
    const { socket } = await TestSocket.identified(server.wsUrl, b);
    await erin.rest.revokeOtherSessions();
    expect((await socket.closed).code).toBe(CLOSE_CODES.sessionRevoked);
    for (const token of [a, b]) {
      expect((await refused(restClient(server.url, token).me())).status).toBe(401);
    }
    const left = await erin.rest.listSessions();
    expect(left).toHaveLength(1);
    expect(left[0]?.current).toBe(true);
  });
});

describe('changing the password', () => {
  it('refuses a wrong current password and changes nothing', async () => {
    const frank = await newPerson('frank');
    const err = await refused(
      frank.rest.changePassword({ currentPassword: 'not-it', newPassword: 'brand new pass' }),
    );
    expect(err.status).toBe(403);
    expect(err.reason).toBe('wrong_password');
    await loginFrom('frank', FIREFOX);
    const wrong = await http.request('POST', '/api/auth/login', {
      username: 'frank',
      password: 'brand new pass',
    });
    expect(wrong.status).toBe(401);
  });

  it('refuses a too short new password with 400, nothing changed', async () => {
    const gina = await newPerson('gina');
    const res = await http.request(
      'POST',
      '/api/users/@me/password',
      { currentPassword: PASSWORD, newPassword: 'short' },
      { token: gina.token },
    );
    expect(res.status).toBe(400);
    await loginFrom('gina', FIREFOX);
  });

  it('counts wrong current passwords with the login throttle', async () => {
    const hank = await newPerson('hank');
    for (let i = 0; i < 3; i++) {
      const err = await refused(
        hank.rest.changePassword({ currentPassword: `guess-${i}`, newPassword: 'brand new pass' }),
      );
      expect(err.reason).toBe('wrong_password');
    }
    // The account is throttled from this address now, for the right password too, and for logins.
    const limited = await refused(
      hank.rest.changePassword({ currentPassword: PASSWORD, newPassword: 'brand new pass' }),
    );
    expect(limited.status).toBe(429);
    const login = await http.request('POST', '/api/auth/login', { username: 'hank', password: PASSWORD });
    expect(login.status).toBe(429);
  });

  it('with the right one: other sessions close, this one stays, the new password logs in', async () => {
    const ivy = await newPerson('ivy');
    const other = await loginFrom('ivy', FIREFOX);
    const { socket } = await TestSocket.identified(server.wsUrl, other);
    await ivy.rest.changePassword({ currentPassword: PASSWORD, newPassword: 'a better password' });
    expect((await socket.closed).code).toBe(CLOSE_CODES.sessionRevoked);
    expect((await refused(restClient(server.url, other).me())).status).toBe(401);
    expect((await ivy.rest.me()).username).toBe('ivy');
    const old = await http.request('POST', '/api/auth/login', { username: 'ivy', password: PASSWORD });
    expect(old.status).toBe(401);
    await loginFrom('ivy', FIREFOX, 'a better password');
  });
});

describe('changing the email', () => {
  it('without SMTP: set at once, user_update to my sessions; null removes it', async () => {
    const jack = await newPerson('jack');
    const { socket } = await TestSocket.identified(server.wsUrl, jack.token);
    const from = socket.frames.length;
    expect(await jack.rest.changeEmail({ email: 'jack@example.test', password: PASSWORD })).toEqual({
      status: 'changed',
    });
    const update = await socket.nextEvent('user_update', (d) => d.email === 'jack@example.test', 5_000, from);
    expect(update.d.pendingEmail).toBeUndefined();
    expect((await jack.rest.me()).email).toBe('jack@example.test');
    const err = await refused(jack.rest.changeEmail({ email: 'x@example.test', password: 'wrong one' }));
    expect(err.reason).toBe('wrong_password');
    expect((await jack.rest.me()).email).toBe('jack@example.test');
    const bad = await http.request(
      'PUT',
      '/api/users/@me/email',
      { email: 'not an email', password: PASSWORD },
      { token: jack.token },
    );
    expect(bad.status).toBe(400);
    expect(await jack.rest.changeEmail({ email: null, password: PASSWORD })).toEqual({ status: 'changed' });
    await socket.nextEvent('user_update', (d) => d.email === undefined, 5_000, from);
    expect((await jack.rest.me()).email).toBeUndefined();
    socket.close();
  });

  it('with SMTP: pending until the mailed link is opened, once', async () => {
    await admin.rest.putAdminSettings(mail.settings());
    try {
      const kate = await newPerson('kate');
      const { socket } = await TestSocket.identified(server.wsUrl, kate.token);
      const from = socket.frames.length;
      const inboxFrom = mail.inbox.length;
      expect(await kate.rest.changeEmail({ email: 'kate@example.test', password: PASSWORD })).toEqual({
        status: 'confirmation_sent',
      });
      await socket.nextEvent('user_update', (d) => d.pendingEmail === 'kate@example.test', 5_000, from);
      const pending = await kate.rest.me();
      expect(pending.pendingEmail).toBe('kate@example.test');
      expect(pending.email).toBeUndefined();

      const letter = await mail.mailTo('kate@example.test', inboxFrom);
      expect(letter.subject).toBe('Confirm your email address for Decentra');
      expect(letter.text).toContain('kate');
      const link = linkIn(letter, server.url);
      expect(link.pathname).toBe('/confirm-email');
      const token = link.searchParams.get('token') ?? '';
      await restClient(server.url).confirmEmail({ token });
      const confirmed = await socket.nextEvent(
        'user_update',
        (d) => d.email === 'kate@example.test',
        5_000,
        from,
      );
      expect(confirmed.d.pendingEmail).toBeUndefined();
      expect((await kate.rest.me()).email).toBe('kate@example.test');

      const again = await refused(restClient(server.url).confirmEmail({ token }));
      expect(again.status).toBe(403);
      expect(again.message).toBe('This link has expired or was already used.');
      const unknown = await refused(restClient(server.url).confirmEmail({ token: 'A'.repeat(43) }));
      expect(unknown.status).toBe(403);
      socket.close();
    } finally {
      await admin.rest.putAdminSettings({ smtp: { ...mail.settings().smtp, enabled: false } });
    }
  });

  it('with SMTP: a link expires after 24 hours and a newer change spends the older link', async () => {
    await admin.rest.putAdminSettings(mail.settings());
    try {
      const liam = await newPerson('liam');
      const inboxFrom = mail.inbox.length;
      await liam.rest.changeEmail({ email: 'liam1@example.test', password: PASSWORD });
      const first = linkIn(await mail.mailTo('liam1@example.test', inboxFrom), server.url);
      await liam.rest.changeEmail({ email: 'liam2@example.test', password: PASSWORD });
      const second = linkIn(await mail.mailTo('liam2@example.test', inboxFrom), server.url);
      const visitor = restClient(server.url);
      expect(
        (await refused(visitor.confirmEmail({ token: first.searchParams.get('token') ?? '' }))).status,
      ).toBe(403);
      clock.advance(24 * 60 * 60 * 1000 + 1);
      expect(
        (await refused(visitor.confirmEmail({ token: second.searchParams.get('token') ?? '' }))).status,
      ).toBe(403);
      expect(await liam.rest.me()).toMatchObject({ pendingEmail: 'liam2@example.test' });
      expect((await liam.rest.me()).email).toBeUndefined();
    } finally {
      await admin.rest.putAdminSettings({ smtp: { ...mail.settings().smtp, enabled: false } });
    }
  });
});
