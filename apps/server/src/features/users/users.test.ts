import type { FriendRequest, UserSearchResult } from '@decentra/protocol';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, api } from '../../../test/http.js';
import { startTestServer, type TestServer } from '../../../test/test-server.js';
import { searchUsersQuery } from './users.repo.js';

interface AuthBody {
  token: string;
  user: { id: string; username: string };
}
interface ErrorResponse {
  error: { code: string; message: string };
}

let server: TestServer;
let http: Api;
let admin: AuthBody;
let me: AuthBody;
const people: Record<string, AuthBody> = {};

async function signup(username: string): Promise<AuthBody> {
  const code = (await http.post<{ code: string }>('/api/invites', undefined, { token: admin.token })).body
    .code;
  const res = await http.post<AuthBody>('/api/auth/signup', {
    username,
    password: 'password123',
    inviteCode: code,
  });
  expect(res.status).toBe(201);
  return res.body;
}

async function execute<T>(query: ReturnType<typeof sql>): Promise<T[]> {
  return ((await server.app.storage.db.execute(query)) as unknown as { rows: T[] }).rows;
}

/** Accounts that never log in, straight into the table. */
async function insertUsers(names: string[], firstId: number): Promise<void> {
  for (const [i, name] of names.entries()) {
    await execute(
      sql`insert into users (id, username, password_hash) values (${String(firstId + i)}::bigint, ${name}, 'x')`,
    );
  }
}

const search = (q: string, token = me.token) =>
  http.get<UserSearchResult[] & ErrorResponse>(`/api/users/search?q=${encodeURIComponent(q)}`, { token });

beforeAll(async () => {
  server = await startTestServer();
  http = api(server.url);
  admin = (await http.post<AuthBody>('/api/auth/signup', { username: 'root', password: 'password123' })).body;
  me = await signup('Searcher');
  for (const name of ['Ann', 'anna', 'annie', 'annabel']) people[name] = await signup(name);

  const ask = (from: AuthBody, to: string) =>
    http.post<FriendRequest>('/api/friends/requests', { username: to }, { token: from.token });
  const toAnn = await ask(me, 'Ann');
  await http.post(`/api/friends/requests/${toAnn.body.id}/accept`, undefined, { token: people.Ann?.token });
  await ask(people.anna as AuthBody, 'Searcher');
  await ask(me, 'annie');
});
afterAll(() => server.close());

describe('GET /api/users/search', () => {
  it('finds names by prefix, whatever the case, with how each relates to you', async () => {
    const expected = [
      { id: people.Ann?.user.id, username: 'Ann', relationship: 'friend' },
      { id: people.anna?.user.id, username: 'anna', relationship: 'incoming' },
      { id: people.annabel?.user.id, username: 'annabel', relationship: 'none' },
      { id: people.annie?.user.id, username: 'annie', relationship: 'outgoing' },
    ];
    const res = await search('ann');
    expect(res.status).toBe(200);
    expect(res.body).toEqual(expected);
    expect((await search('ANN')).body).toEqual(expected);
    expect((await search('AnNa')).body.map((u) => u.username)).toEqual(['anna', 'annabel']);
  });

  it('shows the other side of each relationship to the other user', async () => {
    const res = await search('sEaRc', people.anna?.token);
    expect(res.body).toEqual([{ id: me.user.id, username: 'Searcher', relationship: 'outgoing' }]);
    const ann = await search('searcher', people.Ann?.token);
    expect(ann.body).toEqual([{ id: me.user.id, username: 'Searcher', relationship: 'friend' }]);
  });

  it('never lists yourself', async () => {
    expect((await search('searcher')).body).toEqual([]);
    expect((await search('s')).body).toEqual([]);
  });

  it('answers at most 25, in order', async () => {
    const names = Array.from({ length: 30 }, (_, i) => `bulk_${String(i).padStart(2, '0')}`);
    await insertUsers(names, 2_000_000);
    const res = await search('BULK_');
    expect(res.body.map((u) => u.username)).toEqual(names.slice(0, 25));
  });

  it('takes LIKE wildcards in q literally', async () => {
    await insertUsers(['w_x', 'wax', 'w.x', 'w-x'], 3_000_000);
    expect((await search('w_')).body.map((u) => u.username)).toEqual(['w_x']);
    expect((await search('%')).body).toEqual([]);
    expect((await search('w%')).body).toEqual([]);
    expect((await search('\\')).body).toEqual([]);
    expect((await search('w')).body.map((u) => u.username)).toEqual(['w-x', 'w.x', 'w_x', 'wax']);
  });

  it('refuses an empty, missing or over-long q, and strangers', async () => {
    for (const path of [
      '/api/users/search?q=',
      '/api/users/search',
      `/api/users/search?q=${'a'.repeat(33)}`,
    ]) {
      const res = await http.get<ErrorResponse>(path, { token: me.token });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('invalid_input');
    }
    expect((await search('a'.repeat(32))).status).toBe(200);
    const nul = await search('a\u0000b');
    expect(nul.status).toBe(400);
    expect(nul.body.error.code).toBe('invalid_input');
    expect((await http.get('/api/users/search?q=ann')).status).toBe(401);
  });
});

describe('the search query on many users', () => {
  it('uses the prefix index, never a scan of every user', async () => {
    await execute(sql`insert into users (id, username, password_hash)
      select n, substr(md5(n::text), 1, 12), 'x' from generate_series(10000000, 10019999) as n`);
    await execute(sql`analyze users`);
    const db = server.app.storage.db;
    for (const q of ['ab', 'a', 'c0ffee', 'Searcher']) {
      const plan = (
        await execute<Record<string, string>>(sql`explain ${searchUsersQuery(db, BigInt(me.user.id), q)}`)
      )
        .map((row) => Object.values(row).join(''))
        .join('\n');
      expect(plan, plan).toMatch(/Index Scan using users_username_prefix_idx on users/);
      expect(plan, plan).not.toMatch(/Seq Scan on users/);
      expect(plan, plan).not.toMatch(/Sort/);
    }
    expect((await search('ab')).body.length).toBeGreaterThan(0);
  });
});
