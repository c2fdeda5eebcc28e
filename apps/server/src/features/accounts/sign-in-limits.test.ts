import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../../../test/http.js';
import { CountedPasswords } from '../../../test/passwords.js';
import { PASSWORD, people, refused, restClient } from '../../../test/people.js';
import { startTestServer, type TestServer, type TestServerOptions } from '../../../test/test-server.js';
import { DEFAULT_THROTTLE } from './auth-throttle.js';

/**
 * The login and signup limits, seen from outside: how many passwords are really checked (the
 * real argon2, counted), who is refused and with what. The client's address is set with
 * X-Forwarded-For on servers that trust the test's own address (127.0.0.1) as their proxy, which
 * is what a reverse proxy in front of Decentra does.
 */

interface Answer {
  status: number;
  code: string | undefined;
  retryAfter: number | undefined;
}

interface From {
  /** X-Forwarded-For as the proxy would send it. */
  forwardedFor?: string;
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
  const res = await api(server.url).post<{ error?: { code: string } }>(path, body, { headers });
  const retry = res.headers.get('retry-after');
  return {
    status: res.status,
    code: res.body.error?.code,
    retryAfter: retry === null ? undefined : Number(retry),
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

  it(`checks at most ${DEFAULT_THROTTLE.perUsername} of 200 sent at once for one account; the rest are 429 with Retry-After`, async () => {
    passwords.reset();
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) => login(server, 'bea', `wrong-${i}`)),
    );
    expect(passwords.verifications).toBeGreaterThan(0);
    expect(passwords.verifications).toBeLessThanOrEqual(DEFAULT_THROTTLE.perUsername);
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
    expect(passwords.verifications).toBeLessThanOrEqual(DEFAULT_THROTTLE.perUsername);
    expect(answers.filter((a) => a.status === 401)).toHaveLength(passwords.verifications);
    expectRateLimited(answers.filter((a) => a.status !== 401));
  });
});

describe('a burst of failing signups', () => {
  const passwords = new CountedPasswords();
  let server: TestServer;

  beforeAll(async () => {
    server = await serve({ passwords, config: PROXY, throttle: { ...DEFAULT_THROTTLE, perAddress: 10 } });
    await people(server.url, ['admin']);
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
});

describe('X-Forwarded-For', () => {
  const limits = { perUsername: 1000, perAddress: 3, windowSeconds: 60 };
  const passwords = new CountedPasswords();
  let untrusted: TestServer;
  let trusted: TestServer;

  beforeAll(async () => {
    [untrusted, trusted] = await Promise.all([
      // The test connects from 127.0.0.1, which this one does not trust.
      serve({ config: { trustProxy: ['10.0.0.0/8'] }, throttle: limits, passwords }),
      serve({ config: PROXY, throttle: { ...limits, perUsername: 20 }, passwords }),
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
    // Real distinct clients behind the proxy each have their own allowance.
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
    const server = await serve({ throttle: { ...DEFAULT_THROTTLE, perUsername: 1 } });
    await people(server.url, ['admin', 'ivy']);
    expect((await refused(restClient(server.url).login({ username: 'ivy', password: 'wrong' }))).status).toBe(
      401,
    );
    const limited = await refused(restClient(server.url).login({ username: 'ivy', password: PASSWORD }));
    expect(limited).toMatchObject({ status: 429, code: 'rate_limited' });
    expect(limited.retryAfter).toBeGreaterThan(0);
  });
});
