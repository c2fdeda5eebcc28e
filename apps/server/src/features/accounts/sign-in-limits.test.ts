import { randomInt } from 'node:crypto';
import { KNOWN_DEVICE_COOKIE } from '@decentra/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../../../test/http.js';
import { ManualClock } from '../../../test/manual-clock.js';
import { CountedPasswords } from '../../../test/passwords.js';
import { PASSWORD, type Person, people, refused, restClient } from '../../../test/people.js';
import { startTestServer, type TestServer, type TestServerOptions } from '../../../test/test-server.js';
import { DEFAULT_THROTTLE } from './auth-throttle.js';

/**
 * The login and signup limits, seen from outside: how many passwords are really checked (the
 * real argon2, counted), who is refused and with what. The client's address is set with
 * X-Forwarded-For on servers that trust the test's own address (127.0.0.1) as their proxy, which
 * is what a reverse proxy in front of Decentra does; cookies are sent raw (the SDK sends none).
 */

interface Answer {
  status: number;
  code: string | undefined;
  retryAfter: number | undefined;
  /** The known-device cookie this answer set, as `name=value`. */
  device: string | undefined;
}

interface From {
  /** X-Forwarded-For as the proxy would send it. */
  forwardedFor?: string;
  /** A known-device cookie (`name=value`). */
  device?: string | undefined;
}

const servers: TestServer[] = [];
afterAll(() => Promise.all(servers.map((s) => s.close())));

async function serve(options: TestServerOptions): Promise<TestServer> {
  const server = await startTestServer(options);
  servers.push(server);
  return server;
}

/** The proxy's own address, trusted to say who the client is. */
const PROXY: TestServerOptions['config'] = { trustProxy: ['127.0.0.1'] };

async function post(server: TestServer, path: string, body: unknown, from: From = {}): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (from.forwardedFor !== undefined) headers['x-forwarded-for'] = from.forwardedFor;
  if (from.device !== undefined) headers.cookie = from.device;
  const res = await api(server.url).post<{ error?: { code: string } }>(path, body, { headers });
  const device = res.headers
    .getSetCookie()
    .find((c) => c.startsWith(`${KNOWN_DEVICE_COOKIE}=`))
    ?.split(';')[0];
  const retry = res.headers.get('retry-after');
  return {
    status: res.status,
    code: res.body.error?.code,
    retryAfter: retry === null ? undefined : Number(retry),
    device,
  };
}

const login = (server: TestServer, username: string, password: string, from?: From) =>
  post(server, '/api/auth/login', { username, password }, from);

const signup = (server: TestServer, body: Record<string, string>, from?: From) =>
  post(server, '/api/auth/signup', body, from);

/** A documentation address (RFC 5737) no other test uses. */
const someAddress = () => `203.0.113.${randomInt(1, 255)}`;
const rotating = (i: number) => `198.18.${i >> 8}.${i & 255}`;

function expectRateLimited(answers: Answer[]): void {
  for (const a of answers) {
    expect(a).toMatchObject({ status: 429, code: 'rate_limited' });
    expect(a.retryAfter).toBeGreaterThan(0);
  }
}

describe('a burst of wrong passwords', () => {
  const passwords = new CountedPasswords();
  let server: TestServer;

  beforeAll(async () => {
    server = await serve({ passwords });
    await people(server.url, ['admin', 'bea']);
  });

  it(`checks at most ${DEFAULT_THROTTLE.perAccountAddress} of 200 sent at once for one account; the rest are 429 with Retry-After`, async () => {
    passwords.reset();
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) => login(server, 'bea', `wrong-${i}`)),
    );
    expect(passwords.verifications).toBeGreaterThan(0);
    expect(passwords.verifications).toBeLessThanOrEqual(DEFAULT_THROTTLE.perAccountAddress);
    const wrong = answers.filter((a) => a.status === 401);
    expect(wrong).toHaveLength(passwords.verifications);
    expectRateLimited(answers.filter((a) => a.status !== 401));
  });

  it('holds for 1,000 at once for a name nobody has (the timing equaliser checks a password too)', async () => {
    passwords.reset();
    const answers = await Promise.all(
      Array.from({ length: 1000 }, (_, i) => login(server, 'nobody-here', `wrong-${i}`)),
    );
    expect(passwords.verifications).toBeGreaterThan(0);
    expect(passwords.verifications).toBeLessThanOrEqual(DEFAULT_THROTTLE.perAccountAddress);
    expect(answers.filter((a) => a.status === 401)).toHaveLength(passwords.verifications);
    expectRateLimited(answers.filter((a) => a.status !== 401));
  });
});

describe('a burst of signups', () => {
  const passwords = new CountedPasswords();
  let server: TestServer;
  let admin: Person;

  beforeAll(async () => {
    server = await serve({
      passwords,
      config: { ...PROXY, signupsPerHour: 5 },
      throttle: { signupFailuresPerAddress: 10 },
    });
    [admin] = await people(server.url, ['admin']);
  });

  it('hashes at most 10 passwords of 100 failing signups sent at once; the rest are 429', async () => {
    passwords.reset();
    const from = { forwardedFor: someAddress() };
    const answers = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        signup(server, { username: `guess${i}`, password: PASSWORD, inviteCode: `no-such-code-${i}` }, from),
      ),
    );
    expect(passwords.hashes).toBeGreaterThan(0);
    expect(passwords.hashes).toBeLessThanOrEqual(10);
    const unknown = answers.filter((a) => a.status === 403);
    expect(unknown).toHaveLength(passwords.hashes);
    expectRateLimited(answers.filter((a) => a.status !== 403));
  });

  it('makes exactly DECENTRA_SIGNUPS_PER_HOUR (5) accounts of 30 good signups sent at once from one address', async () => {
    const codes = await Promise.all(Array.from({ length: 30 }, () => admin.rest.createInvite()));
    const from = { forwardedFor: '198.51.100.20' };
    const answers = await Promise.all(
      codes.map(({ code }, i) =>
        signup(server, { username: `meetup${i}`, password: PASSWORD, inviteCode: code }, from),
      ),
    );
    const made = answers.filter((a) => a.status === 201);
    expect(made).toHaveLength(5);
    // A signup makes its browser a known device of the new account, as a login does.
    for (const a of made) expect(a.device).toMatch(new RegExp(`^${KNOWN_DEVICE_COOKIE}=\\d+\\.`));
    expectRateLimited(answers.filter((a) => a.status !== 201));
    // Another address is not held up.
    const [spare] = codes.slice(-1);
    const elsewhere = await signup(
      server,
      { username: 'elsewhere', password: PASSWORD, inviteCode: spare?.code ?? '' },
      { forwardedFor: '198.51.100.21' },
    );
    expect(elsewhere.status).toBe(201);
  });
});

describe('one address, many people (a club behind one NAT)', () => {
  const CLUB = '198.51.100.7';
  let server: TestServer;

  beforeAll(async () => {
    server = await serve({ config: PROXY });
    await people(server.url, ['admin', 'carol', 't0', 't1', 't2', 't3']);
  });

  it('lets a member with the right password in after 32 failures from the address on other accounts; the guesser is still slowed', async () => {
    const failures = await Promise.all(
      ['t0', 't1', 't2', 't3'].flatMap((name) =>
        Array.from({ length: 8 }, (_, i) => login(server, name, `wrong-${i}`, { forwardedFor: CLUB })),
      ),
    );
    expect(failures.map((a) => a.status)).toEqual(Array(32).fill(401));

    expect((await login(server, 'carol', PASSWORD, { forwardedFor: CLUB })).status).toBe(200);

    // The guesser on t0 has two tries left from there, then waits.
    for (const i of [8, 9]) {
      expect((await login(server, 't0', `wrong-${i}`, { forwardedFor: CLUB })).status).toBe(401);
    }
    expectRateLimited([await login(server, 't0', 'wrong-10', { forwardedFor: CLUB })]);
    // t0 themself, from home, is not locked out by it.
    expect((await login(server, 't0', PASSWORD, { forwardedFor: someAddress() })).status).toBe(200);
  });
});

describe('known devices', () => {
  const CLUB = '198.51.100.8';
  const HOME = '198.51.100.9';
  const clock = new ManualClock();
  let server: TestServer;
  let carol: Person;
  let dave: Person;

  beforeAll(async () => {
    server = await serve({
      config: PROXY,
      clock,
      throttle: { perAccountAddress: 3, perAccount: 6, perAddress: 6 },
    });
    [, carol, dave] = await people(server.url, ['admin', 'carol', 'dave', 'erin', 't0', 't1', 't2', 't3']);
  });

  it('are set by a login: HttpOnly, SameSite=Strict, for a year, sent to /api/auth only', async () => {
    const res = await api(server.url).post('/api/auth/login', { username: 'dave', password: PASSWORD });
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith(`${KNOWN_DEVICE_COOKIE}=`));
    expect(cookie).toMatch(/; Path=\/api\/auth/);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Strict/);
    expect(cookie).toMatch(/; Max-Age=31536000/);
  });

  it('let their own account in past an address other people exhausted; nothing else does', async () => {
    const first = await login(server, 'carol', PASSWORD, { forwardedFor: CLUB });
    const known = first.device;
    expect(known).toMatch(new RegExp(`^${KNOWN_DEVICE_COOKIE}=\\d+\\.`));

    // A guesser at the club uses up the address: 6 failures over three accounts.
    for (const name of ['t0', 't1', 't2']) {
      for (const i of [0, 1]) {
        expect((await login(server, name, `wrong-${i}`, { forwardedFor: CLUB })).status).toBe(401);
      }
    }
    expectRateLimited([await login(server, 't3', 'wrong', { forwardedFor: CLUB })]);

    // Carol on a new browser there waits too (the address has had its failures)…
    expectRateLimited([await login(server, 'carol', PASSWORD, { forwardedFor: CLUB })]);
    // …but from the browser she logged in with before, she is in, and gets the cookie afresh.
    const again = await login(server, 'carol', PASSWORD, { forwardedFor: CLUB, device: known });
    expect(again.status).toBe(200);
    expect(again.device).toBeDefined();
    expect(again.device).not.toBe(known);

    // Her cookie is hers alone: for dave it is nobody's, and so is one rewritten to name him.
    expectRateLimited([await login(server, 'dave', PASSWORD, { forwardedFor: CLUB, device: again.device })]);
    const rewritten = again.device?.replace(`=${carol.id}.`, `=${dave.id}.`);
    expect(rewritten).toContain(`=${dave.id}.`);
    expectRateLimited([await login(server, 'dave', PASSWORD, { forwardedFor: CLUB, device: rewritten })]);
  });

  it('keep an account reachable for its owner while guessers elsewhere have used up its allowance', async () => {
    const { device } = await login(server, 'erin', PASSWORD, { forwardedFor: HOME });
    // Two addresses, three failures each: erin's account has had its 6 from strangers.
    for (const address of [someAddress(), '198.51.100.10']) {
      for (const i of [0, 1, 2]) {
        expect((await login(server, 'erin', `wrong-${i}`, { forwardedFor: address })).status).toBe(401);
      }
    }
    expectRateLimited([await login(server, 'erin', 'wrong', { forwardedFor: '198.51.100.11' })]);
    expectRateLimited([await login(server, 'erin', PASSWORD, { forwardedFor: HOME })]);
    expect((await login(server, 'erin', PASSWORD, { forwardedFor: HOME, device })).status).toBe(200);
  });

  it('have an allowance of their own, and expire after a year', async () => {
    const { device } = await login(server, 'dave', PASSWORD, { forwardedFor: HOME });
    const { device: spare } = await login(server, 'dave', PASSWORD, { forwardedFor: HOME });
    expect(device).not.toBe(spare);
    // Failures from a known device are its own: three, and that browser waits.
    for (const i of [0, 1, 2]) {
      expect((await login(server, 'dave', `wrong-${i}`, { forwardedFor: HOME, device })).status).toBe(401);
    }
    expectRateLimited([await login(server, 'dave', PASSWORD, { forwardedFor: HOME, device })]);
    // The other browser of his still gets in at the club, whose address the guesser used up…
    expect((await login(server, 'dave', PASSWORD, { forwardedFor: CLUB, device: spare })).status).toBe(200);
    // …until its cookie is a year and a day old: then it is a stranger's browser there.
    clock.advance(366 * 24 * 60 * 60 * 1000);
    expectRateLimited([await login(server, 'dave', PASSWORD, { forwardedFor: CLUB, device: spare })]);
  });
});

describe('X-Forwarded-For', () => {
  const limits = { perAccountAddress: 3, perAccount: 1000, perAddress: 1000 };
  const passwords = new CountedPasswords();
  let untrusted: TestServer;
  let trusted: TestServer;

  beforeAll(async () => {
    [untrusted, trusted] = await Promise.all([
      // The test connects from 127.0.0.1, which this one does not trust.
      serve({ config: { trustProxy: ['10.0.0.0/8'] }, throttle: limits, passwords }),
      serve({ config: PROXY, throttle: { ...limits, perAccount: 20 }, passwords }),
    ]);
    await people(untrusted.url, ['admin', 'fay']);
    await people(trusted.url, ['admin', 'fay', 'gus', 'hal']);
  });

  it('from a peer that is not a trusted proxy changes nothing: rotating it still meets the limit', async () => {
    passwords.reset();
    const answers: Answer[] = [];
    for (let i = 0; i < 20; i++) {
      answers.push(await login(untrusted, 'fay', `wrong-${i}`, { forwardedFor: rotating(i) }));
    }
    expect(answers.slice(0, 3).map((a) => a.status)).toEqual([401, 401, 401]);
    expectRateLimited(answers.slice(3));
    expect(passwords.verifications).toBe(3);
  });

  it('through a trusted proxy names the client, and only the hop that proxy added counts', async () => {
    // What a client writes itself comes first; the proxy appends the address it saw.
    const forged: Answer[] = [];
    for (let i = 0; i < 10; i++) {
      forged.push(
        await login(trusted, 'fay', `wrong-${i}`, { forwardedFor: `${rotating(i)}, 198.51.100.30` }),
      );
    }
    expect(forged.slice(0, 3).map((a) => a.status)).toEqual([401, 401, 401]);
    expectRateLimited(forged.slice(3));
    // Real distinct clients behind the proxy each have their own allowance on an account.
    const distinct: Answer[] = [];
    for (let i = 0; i < 6; i++) {
      distinct.push(await login(trusted, 'gus', `wrong-${i}`, { forwardedFor: rotating(i) }));
    }
    expect(distinct.map((a) => a.status)).toEqual(Array(6).fill(401));
  });

  it('from 200 addresses at once still checks at most the account-wide limit (20)', async () => {
    passwords.reset();
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        login(trusted, 'hal', `wrong-${i}`, { forwardedFor: rotating(i) }),
      ),
    );
    expect(passwords.verifications).toBeGreaterThan(0);
    expect(passwords.verifications).toBeLessThanOrEqual(20);
    expect(answers.filter((a) => a.status === 401)).toHaveLength(passwords.verifications);
    expectRateLimited(answers.filter((a) => a.status !== 401));
  });
});

describe('the SDK', () => {
  it('reads the refusal as rate_limited with retryAfter', async () => {
    const server = await serve({ throttle: { perAccountAddress: 1 } });
    await people(server.url, ['admin', 'ivy']);
    expect((await refused(restClient(server.url).login({ username: 'ivy', password: 'wrong' }))).status).toBe(
      401,
    );
    const limited = await refused(restClient(server.url).login({ username: 'ivy', password: PASSWORD }));
    expect(limited).toMatchObject({ status: 429, code: 'rate_limited' });
    expect(limited.retryAfter).toBeGreaterThan(0);
  });
});
