import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, api } from '../../../test/http.js';
import { startTestServer, type TestServer } from '../../../test/test-server.js';

interface AuthBody {
  token: string;
  user: { id: string; username: string; isAdmin: boolean; email?: string; createdAt: string };
}
interface ErrorResponse {
  error: { code: string; message: string; details?: unknown };
}

let server: TestServer;
let http: Api;
let admin: AuthBody;

async function rows<T>(query: ReturnType<typeof sql>): Promise<T[]> {
  const result = (await server.app.storage.db.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}

async function userCount(): Promise<number> {
  const [row] = await rows<{ n: number }>(sql`select count(*)::int as n from users`);
  return Number(row?.n);
}

async function invite(token = admin.token): Promise<string> {
  const res = await http.post<{ code: string }>('/api/invites', undefined, { token });
  expect(res.status).toBe(201);
  return res.body.code;
}

beforeAll(async () => {
  server = await startTestServer({ throttle: { perUsername: 3, perAddress: 1000, windowSeconds: 60 } });
  http = api(server.url);
  const res = await http.post<AuthBody>('/api/auth/signup', {
    username: 'Admin',
    password: 'correct horse',
    email: 'a@example.com',
  });
  expect(res.status).toBe(201);
  admin = res.body;
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
    const res = await http.post<ErrorResponse>('/api/auth/signup', {
      username: 'nocode',
      password: 'password123',
    });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('forbidden');
    expect(res.body.error.message).toMatch(/invite code/i);
    expect(await userCount()).toBe(before);
  });

  it('accepts an unused code once, as a regular user', async () => {
    const code = await invite();
    const first = await http.post<AuthBody>('/api/auth/signup', {
      username: 'bob',
      password: 'password123',
      inviteCode: code,
    });
    expect(first.status).toBe(201);
    expect(first.body.user.isAdmin).toBe(false);
    expect(first.body.user.email).toBeUndefined();
    const second = await http.post<ErrorResponse>('/api/auth/signup', {
      username: 'carol',
      password: 'password123',
      inviteCode: code,
    });
    expect(second.status).toBe(403);
    expect(second.body.error.message).toMatch(/already been used/);
  });

  it('says so when a code does not exist', async () => {
    const res = await http.post<ErrorResponse>('/api/auth/signup', {
      username: 'dave',
      password: 'password123',
      inviteCode: 'nope',
    });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toMatch(/does not exist/);
  });

  it('turns 30 concurrent signups with one code into exactly one account', async () => {
    const code = await invite();
    const before = await userCount();
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        http.post('/api/auth/signup', { username: `racer${i}`, password: 'password123', inviteCode: code }),
      ),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 403)).toHaveLength(29);
    expect(await userCount()).toBe(before + 1);
  });

  it('refuses a taken username whatever its case, and gives the code back', async () => {
    const code = await invite();
    const res = await http.post<ErrorResponse>('/api/auth/signup', {
      username: 'ADMIN',
      password: 'password123',
      inviteCode: code,
    });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('conflict');
    const retry = await http.post('/api/auth/signup', {
      username: 'admin2',
      password: 'password123',
      inviteCode: code,
    });
    expect(retry.status).toBe(201);
  });

  it('keeps the name as typed', async () => {
    const code = await invite();
    const res = await http.post<AuthBody>('/api/auth/signup', {
      username: 'Mixed.Case_1',
      password: 'password123',
      inviteCode: code,
    });
    expect(res.body.user.username).toBe('Mixed.Case_1');
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
    const res = await http.post<ErrorResponse>('/api/auth/signup', {
      username: 'x',
      password: 'password123',
    });
    expect(res.body.error.message).toMatch(/username/);
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
    const res = await http.post<AuthBody>('/api/auth/login', {
      username: 'admin',
      password: 'correct horse',
    });
    expect(res.status).toBe(200);
    expect(res.body.user.id).toBe(admin.user.id);
    expect(res.body.token).not.toBe(admin.token);
    const me = await http.get<AuthBody['user']>('/api/users/@me', { token: res.body.token });
    expect(me.body.username).toBe('Admin');
  });

  it('answers 401 alike for a wrong password and an unknown user', async () => {
    const wrong = await http.post<ErrorResponse>('/api/auth/login', {
      username: 'bob',
      password: 'wrong-password',
    });
    const unknown = await http.post<ErrorResponse>('/api/auth/login', {
      username: 'ghost',
      password: 'wrong-password',
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body).toEqual(unknown.body);
  });

  it('throttles failed logins per username with 429 and Retry-After, even for the right password', async () => {
    const code = await invite();
    await http.post('/api/auth/signup', { username: 'target', password: 'password123', inviteCode: code });
    for (let i = 0; i < 3; i++) {
      expect((await http.post('/api/auth/login', { username: 'target', password: `guess${i}` })).status).toBe(
        401,
      );
    }
    const blocked = await http.post<ErrorResponse>('/api/auth/login', {
      username: 'target',
      password: 'password123',
    });
    expect(blocked.status).toBe(429);
    expect(blocked.body.error.code).toBe('rate_limited');
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another account is not affected.
    expect((await http.post('/api/auth/login', { username: 'bob', password: 'password123' })).status).toBe(
      200,
    );
  });
});

describe('sessions', () => {
  it('answers @me with the contract user shape', async () => {
    const res = await http.get<Record<string, unknown>>('/api/users/@me', { token: admin.token });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['createdAt', 'email', 'id', 'isAdmin', 'username']);
  });

  it('refuses a missing, malformed or unknown token with 401', async () => {
    expect((await http.get('/api/users/@me')).status).toBe(401);
    expect((await http.get('/api/users/@me', { headers: { authorization: 'Basic abc' } })).status).toBe(401);
    const res = await http.get<ErrorResponse>('/api/users/@me', { token: 'x'.repeat(43) });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unauthorized');
  });

  it('revokes the token at logout', async () => {
    const login = await http.post<AuthBody>('/api/auth/login', { username: 'bob', password: 'password123' });
    const token = login.body.token;
    expect((await http.post('/api/auth/logout', undefined, { token })).status).toBe(204);
    expect((await http.get('/api/users/@me', { token })).status).toBe(401);
    expect((await http.post('/api/auth/logout', undefined, { token })).status).toBe(401);
    // Other sessions of the same user live on.
    const other = await http.post<AuthBody>('/api/auth/login', { username: 'bob', password: 'password123' });
    expect((await http.get('/api/users/@me', { token: other.body.token })).status).toBe(200);
  });

  it('refuses an expired session', async () => {
    const login = await http.post<AuthBody>('/api/auth/login', { username: 'bob', password: 'password123' });
    const digest = createHash('sha256').update(login.body.token).digest();
    await server.app.storage.db.execute(
      sql`update sessions set expires_at = now() - interval '1 second' where token_hash = ${digest}`,
    );
    expect((await http.get('/api/users/@me', { token: login.body.token })).status).toBe(401);
  });
});

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
    const signup = await http.post<AuthBody>('/api/auth/signup', {
      username: 'logwatch',
      password: 'secret-pass-123',
      inviteCode: code,
    });
    const login = await http.post<AuthBody>('/api/auth/login', {
      username: 'logwatch',
      password: 'secret-pass-123',
    });
    await http.get('/api/users/@me', { token: login.body.token });
    await http.get('/api/users/@me', { headers: { cookie: `decentra_session=${login.body.token}` } });
    const all = server.logs.join('');
    expect(server.logs.length).toBeGreaterThan(0);
    for (const secret of ['secret-pass-123', signup.body.token, login.body.token, code])
      expect(all).not.toContain(secret);
  });
});
