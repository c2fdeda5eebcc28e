import { createHash } from 'node:crypto';
import { ApiError, type RestClient } from '@decentra/client';
import type { AuthResponse } from '@decentra/protocol';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, api } from '../../../test/http.js';
import { PASSWORD, refused, restClient } from '../../../test/people.js';
import { startTestServer, type TestServer } from '../../../test/test-server.js';

interface ErrorResponse {
  error: { code: string; message: string; details?: unknown };
}

let server: TestServer;
/** Raw HTTP, only for what the SDK cannot send or hides: malformed bodies, odd headers, cookies. */
let http: Api;
let admin: AuthResponse;
let adminRest: RestClient;

/** A client with no session yet, as a visitor of the signup and login pages. */
const visitor = () => restClient(server.url);
/** A client that sends `token` as its session. */
const as = (token: string) => restClient(server.url, token);

async function rows<T>(query: ReturnType<typeof sql>): Promise<T[]> {
  const result = (await server.app.storage.db.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}

async function userCount(): Promise<number> {
  const [row] = await rows<{ n: number }>(sql`select count(*)::int as n from users`);
  return Number(row?.n);
}

async function invite(): Promise<string> {
  return (await adminRest.createInvite()).code;
}

beforeAll(async () => {
  server = await startTestServer({
    throttle: { perAccountAddress: 3, perAddress: 1000, signupFailuresPerAddress: 1000, windowSeconds: 60 },
  });
  http = api(server.url);
  adminRest = visitor();
  admin = await adminRest.signup({ username: 'Admin', password: 'correct horse', email: 'a@example.com' });
});
afterAll(() => server.close());

describe('signup', () => {
  it('makes the first account without a code, as admin', () => {
    expect(admin.user).toMatchObject({ username: 'Admin', isAdmin: true, email: 'a@example.com' });
    expect(admin.user.id).toMatch(/^[1-9][0-9]+$/);
    expect(Date.parse(admin.user.createdAt)).not.toBeNaN();
    expect(admin.token.length).toBeGreaterThanOrEqual(43);
  });

  it('refuses later accounts without a code, and creates nothing', async () => {
    const before = await userCount();
    const err = await refused(visitor().signup({ username: 'nocode', password: PASSWORD }));
    expect(err).toMatchObject({ status: 403, code: 'forbidden', reason: 'invite_required' });
    expect(err.message).toMatch(/invite code/i);
    expect(await userCount()).toBe(before);
  });

  it('accepts an unused code once, as a regular user', async () => {
    const code = await invite();
    const first = await visitor().signup({ username: 'bob', password: PASSWORD, inviteCode: code });
    expect(first.user.isAdmin).toBe(false);
    expect(first.user.email).toBeUndefined();
    const second = await refused(
      visitor().signup({ username: 'carol', password: PASSWORD, inviteCode: code }),
    );
    expect(second).toMatchObject({ status: 403, reason: 'used' });
    expect(second.message).toMatch(/already been used/);
  });

  it('says so when a code does not exist', async () => {
    const err = await refused(visitor().signup({ username: 'dave', password: PASSWORD, inviteCode: 'nope' }));
    expect(err).toMatchObject({ status: 403, reason: 'unknown_code' });
    expect(err.message).toMatch(/does not exist/);
  });

  it('turns 30 concurrent signups with one code into exactly one account', async () => {
    const code = await invite();
    const before = await userCount();
    const results = await Promise.allSettled(
      Array.from({ length: 30 }, (_, i) =>
        visitor().signup({ username: `racer${i}`, password: PASSWORD, inviteCode: code }),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refusals = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    expect(refusals.filter((e) => e instanceof ApiError && e.status === 403)).toHaveLength(29);
    expect(await userCount()).toBe(before + 1);
  });

  it('refuses a taken username whatever its case, and gives the code back', async () => {
    const code = await invite();
    const err = await refused(visitor().signup({ username: 'ADMIN', password: PASSWORD, inviteCode: code }));
    expect(err).toMatchObject({ status: 409, code: 'conflict', details: { field: 'username' } });
    const retry = await visitor().signup({ username: 'admin2', password: PASSWORD, inviteCode: code });
    expect(retry.user.username).toBe('admin2');
  });

  it('keeps the name as typed', async () => {
    const code = await invite();
    const made = await visitor().signup({ username: 'Mixed.Case_1', password: PASSWORD, inviteCode: code });
    expect(made.user.username).toBe('Mixed.Case_1');
  });

  it('stores an argon2id hash and only the SHA-256 of the token', async () => {
    const [user] = await rows<{ password_hash: string }>(
      sql`select password_hash from users where username = 'Admin'`,
    );
    expect(user?.password_hash).toMatch(/^\$argon2id\$/);
    expect(user?.password_hash).not.toContain('correct horse');
    const digest = createHash('sha256').update(admin.token).digest('hex');
    const sessions = await rows<{ h: string }>(sql`select encode(token_hash, 'hex') as h from sessions`);
    expect(sessions.map((s) => s.h)).toContain(digest);
    const dump = JSON.stringify(
      await rows(sql`select id::text, user_id::text, encode(token_hash, 'escape') as raw from sessions`),
    );
    expect(dump).not.toContain(admin.token);
  });
});

describe('bad input changes nothing', () => {
  // Bodies the SDK's types would not let through (or not even JSON): sent raw.
  const cases: Array<[string, number, string, string]> = [
    ['malformed JSON', 400, 'invalid_input', '{"username": "x",'],
    ['an array', 400, 'invalid_input', '[]'],
    ['wrong types', 400, 'invalid_input', JSON.stringify({ username: 42, password: true })],
    ['a short name', 400, 'invalid_input', JSON.stringify({ username: 'x', password: 'password123' })],
    [
      'a long name',
      400,
      'invalid_input',
      JSON.stringify({ username: 'x'.repeat(33), password: 'password123' }),
    ],
    [
      'odd characters',
      400,
      'invalid_input',
      JSON.stringify({ username: 'bad name!', password: 'password123' }),
    ],
    ['a short password', 400, 'invalid_input', JSON.stringify({ username: 'shorty', password: 'short' })],
    [
      'a long password',
      400,
      'invalid_input',
      JSON.stringify({ username: 'longpw', password: 'p'.repeat(257) }),
    ],
    [
      'a bad email',
      400,
      'invalid_input',
      JSON.stringify({ username: 'mailer', password: 'password123', email: 'nope' }),
    ],
    [
      'unknown fields',
      400,
      'invalid_input',
      JSON.stringify({ username: 'sneaky', password: 'password123', isAdmin: true }),
    ],
    [
      'a huge body',
      413,
      'payload_too_large',
      JSON.stringify({ username: 'huge', password: 'x'.repeat(100_000) }),
    ],
  ];

  it.each(cases)('%s → %i %s', async (_name, status, code, raw) => {
    const before = await userCount();
    const res = await http.request<ErrorResponse>('POST', '/api/auth/signup', undefined, { raw });
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
    expect(typeof res.body.error.message).toBe('string');
    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.ts:\d+|stack/i);
    expect(await userCount()).toBe(before);
  });

  it('names the field at fault', async () => {
    const err = await refused(visitor().signup({ username: 'x', password: PASSWORD }));
    expect(err.status).toBe(400);
    expect(err.message).toMatch(/username/);
  });

  it('answers a non-JSON content type with invalid_input', async () => {
    const res = await http.request<ErrorResponse>('POST', '/api/auth/login', undefined, {
      raw: 'username=a',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_input');
  });

  it('answers unknown endpoints with not_found', async () => {
    const res = await http.get<ErrorResponse>('/api/nothing-here');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });
});

describe('login', () => {
  it('gives a fresh token for the right password, whatever the name case', async () => {
    const login = await visitor().login({ username: 'admin', password: 'correct horse' });
    expect(login.user.id).toBe(admin.user.id);
    expect(login.token).not.toBe(admin.token);
    expect((await as(login.token).me()).username).toBe('Admin');
  });

  it('answers 401 alike for a wrong password and an unknown user', async () => {
    const wrong = await refused(visitor().login({ username: 'bob', password: 'wrong-password' }));
    const unknown = await refused(visitor().login({ username: 'ghost', password: 'wrong-password' }));
    const seen = (e: ApiError) => ({
      status: e.status,
      code: e.code,
      message: e.message,
      details: e.details,
    });
    expect(wrong.status).toBe(401);
    expect(seen(wrong)).toEqual(seen(unknown));
  });

  it('throttles failed logins per account and address with 429 and Retry-After, even for the right password', async () => {
    const code = await invite();
    await visitor().signup({ username: 'target', password: PASSWORD, inviteCode: code });
    for (let i = 0; i < 3; i++) {
      expect((await refused(visitor().login({ username: 'target', password: `guess${i}` }))).status).toBe(
        401,
      );
    }
    const blocked = await refused(visitor().login({ username: 'target', password: PASSWORD }));
    expect(blocked).toMatchObject({ status: 429, code: 'rate_limited' });
    expect(blocked.retryAfter).toBeGreaterThan(0);
    // Another account is not affected.
    expect((await visitor().login({ username: 'bob', password: PASSWORD })).user.username).toBe('bob');
  });
});

describe('sessions', () => {
  it('answers @me with the contract user shape', async () => {
    // As sent: the validating client would drop a key outside the contract before we saw it.
    const me = await restClient(server.url, admin.token).me();
    expect(Object.keys(me).sort()).toEqual(['createdAt', 'email', 'id', 'isAdmin', 'username']);
  });

  it('refuses a missing, malformed or unknown token with 401', async () => {
    expect((await refused(visitor().me())).status).toBe(401);
    // A header the SDK never sends: raw.
    expect((await http.get('/api/users/@me', { headers: { authorization: 'Basic abc' } })).status).toBe(401);
    const err = await refused(as('x'.repeat(43)).me());
    expect(err).toMatchObject({ status: 401, code: 'unauthorized' });
  });

  it('revokes the token at logout', async () => {
    const client = visitor();
    const { token } = await client.login({ username: 'bob', password: PASSWORD });
    expect(await client.logout()).toBeUndefined();
    expect((await refused(as(token).me())).status).toBe(401);
    expect((await refused(as(token).logout())).status).toBe(401);
    // Other sessions of the same user live on.
    const other = await visitor().login({ username: 'bob', password: PASSWORD });
    expect((await as(other.token).me()).username).toBe('bob');
  });

  // An expired session (on time, and one expired in the database behind the server's back, which
  // the session cache notices after its TTL) is refused: session-cache.test.ts, on a manual clock.
});

// Cookies, Set-Cookie and the CSRF header are what the SDK hides (it sends a bearer token and
// always the CSRF header): these stay raw.
describe('the session cookie', () => {
  async function cookieLogin(): Promise<string> {
    const res = await http.post('/api/auth/login', { username: 'bob', password: 'password123' });
    const setCookie = res.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^decentra_session=/);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    // Plain HTTP here (TLS is off in this server): no Secure flag, or the browser would drop it.
    expect(setCookie).not.toMatch(/Secure/);
    return setCookie.split(';')[0] as string;
  }

  it('authenticates reads without any extra header', async () => {
    const cookie = await cookieLogin();
    const me = await http.get<{ username: string }>('/api/users/@me', { headers: { cookie } });
    expect(me.status).toBe(200);
    expect(me.body.username).toBe('bob');
  });

  it('needs X-Requested-With: decentra for writes (CSRF guard)', async () => {
    const cookie = await cookieLogin();
    const forged = await http.post<ErrorResponse>('/api/invites', undefined, { headers: { cookie } });
    expect(forged.status).toBe(403);
    expect(forged.body.error.message).toMatch(/X-Requested-With/);
    const ok = await http.post('/api/invites', undefined, {
      headers: { cookie, 'x-requested-with': 'decentra' },
    });
    expect(ok.status).toBe(201);
  });

  it('is cleared and revoked by logout', async () => {
    const cookie = await cookieLogin();
    const out = await http.post('/api/auth/logout', undefined, {
      headers: { cookie, 'x-requested-with': 'decentra' },
    });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/decentra_session=;/);
    expect((await http.get('/api/users/@me', { headers: { cookie } })).status).toBe(401);
  });
});

describe('logs', () => {
  it('never hold passwords or tokens', async () => {
    const code = await invite();
    const signup = await visitor().signup({
      username: 'logwatch',
      password: 'secret-pass-123',
      inviteCode: code,
    });
    const login = await visitor().login({ username: 'logwatch', password: 'secret-pass-123' });
    await as(login.token).me();
    // The cookie path (raw: the SDK never sends cookies).
    const cookieMe = await http.get('/api/users/@me', {
      headers: { cookie: `decentra_session=${login.token}` },
    });
    expect(cookieMe.status).toBe(200);
    const all = server.logs.join('');
    expect(server.logs.length).toBeGreaterThan(0);
    for (const secret of ['secret-pass-123', signup.token, login.token, code])
      expect(all).not.toContain(secret);
  });
});
