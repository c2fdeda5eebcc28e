import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../../../test/http.js';
import { type Person, people, refused, restClient } from '../../../test/people.js';
import { startTestServer, type TestServer } from '../../../test/test-server.js';
import { searchUsersQuery } from './users.repo.js';

let server: TestServer;
let me: Person;
let ann: Person;
let anna: Person;
let annie: Person;
let annabel: Person;

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

/**
 * Search as `who`, the answer as sent: results must carry nothing beyond the contract's three
 * fields (the validating client would drop, say, a leaked email before the test saw it).
 */
const search = (q: string, who: Person = me) => restClient(server.url, who.token).searchUsers({ q });

beforeAll(async () => {
  server = await startTestServer();
  // root is the admin, who invites everyone else.
  [, me, ann, anna, annie, annabel] = await people(server.url, [
    'root',
    'Searcher',
    'Ann',
    'anna',
    'annie',
    'annabel',
  ]);
  const toAnn = await me.rest.sendFriendRequest({ username: 'Ann' });
  await ann.rest.acceptFriendRequest({ requestId: toAnn.id });
  await anna.rest.sendFriendRequest({ username: 'Searcher' });
  await me.rest.sendFriendRequest({ username: 'annie' });
});
afterAll(() => server.close());

describe('GET /api/users/search', () => {
  it('finds names by prefix, whatever the case, with how each relates to you', async () => {
    const expected = [
      { id: ann.id, username: 'Ann', relationship: 'friend' },
      { id: anna.id, username: 'anna', relationship: 'incoming' },
      { id: annabel.id, username: 'annabel', relationship: 'none' },
      { id: annie.id, username: 'annie', relationship: 'outgoing' },
    ];
    expect(await search('ann')).toEqual(expected);
    expect(await search('ANN')).toEqual(expected);
    expect((await search('AnNa')).map((u) => u.username)).toEqual(['anna', 'annabel']);
  });

  it('shows the other side of each relationship to the other user', async () => {
    expect(await search('sEaRc', anna)).toEqual([
      { id: me.id, username: 'Searcher', relationship: 'outgoing' },
    ]);
    expect(await search('searcher', ann)).toEqual([
      { id: me.id, username: 'Searcher', relationship: 'friend' },
    ]);
  });

  it('never lists yourself', async () => {
    expect(await search('searcher')).toEqual([]);
    expect(await search('s')).toEqual([]);
  });

  it('answers at most 25, in order', async () => {
    const names = Array.from({ length: 30 }, (_, i) => `bulk_${String(i).padStart(2, '0')}`);
    await insertUsers(names, 2_000_000);
    expect((await search('BULK_')).map((u) => u.username)).toEqual(names.slice(0, 25));
  });

  it('takes LIKE wildcards in q literally', async () => {
    await insertUsers(['w_x', 'wax', 'w.x', 'w-x'], 3_000_000);
    expect((await search('w_')).map((u) => u.username)).toEqual(['w_x']);
    expect(await search('%')).toEqual([]);
    expect(await search('w%')).toEqual([]);
    expect(await search('\\')).toEqual([]);
    expect((await search('w')).map((u) => u.username)).toEqual(['w-x', 'w.x', 'w_x', 'wax']);
  });

  it('refuses an empty, missing or over-long q, and strangers', async () => {
    for (const q of ['', 'a'.repeat(33), 'a\u0000b']) {
      expect(await refused(search(q)), JSON.stringify(q)).toMatchObject({
        status: 400,
        code: 'invalid_input',
      });
    }
    // No q at all: the SDK's types require one, so raw.
    const missing = await api(server.url).get<{ error: { code: string } }>('/api/users/search', {
      token: me.token,
    });
    expect(missing.status).toBe(400);
    expect(missing.body.error.code).toBe('invalid_input');
    expect(await search('a'.repeat(32))).toEqual([]);
    expect((await refused(restClient(server.url).searchUsers({ q: 'ann' }))).status).toBe(401);
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
        await execute<Record<string, string>>(sql`explain ${searchUsersQuery(db, BigInt(me.id), q)}`)
      )
        .map((row) => Object.values(row).join(''))
        .join('\n');
      expect(plan, plan).toMatch(/Index Scan using users_username_prefix_idx on users/);
      expect(plan, plan).not.toMatch(/Seq Scan on users/);
      expect(plan, plan).not.toMatch(/Sort/);
    }
    expect((await search('ab')).length).toBeGreaterThan(0);
  });
});
