import { type SQL, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/test-db.js';
import { IdGenerator } from '../../infra/ids.js';
import { executeRows, openStorage, type Storage } from '../../storage/db.js';
import { migrate } from '../../storage/migrate.js';
import type { MessageRow } from '../../storage/rows.js';
import { channels, servers, users } from '../../storage/schema.js';
import { MessageWriter } from './message-writer.js';
import type { NewMessageRow } from './messages.repo.js';

let testDb: TestDatabase;
let storage: Storage;
const ids = new IdGenerator(3);
let ann: bigint;
let ben: bigint;
let serverId: bigint;

beforeAll(async () => {
  testDb = await createTestDatabase();
  storage =
    testDb.database.kind === 'pglite'
      ? await openStorage({ kind: 'pglite', dataDir: testDb.dataDir })
      : await openStorage(testDb.database);
  await migrate(storage.db);
  ann = ids.next();
  ben = ids.next();
  serverId = ids.next();
  await storage.db.insert(users).values([
    { id: ann, username: 'ann', passwordHash: 'x' },
    { id: ben, username: 'ben', passwordHash: 'x' },
  ]);
  await storage.db.insert(servers).values({ id: serverId, name: 'Writer', ownerId: ann });
});
afterAll(async () => {
  await storage?.close();
  await testDb?.drop();
});

async function freshChannel(): Promise<bigint> {
  const id = ids.next();
  await storage.db.insert(channels).values({ id, serverId, type: 'text', name: `c${id}` });
  return id;
}

function row(
  channelId: bigint,
  authorId: bigint,
  content: string,
  nonce: string | null = null,
): NewMessageRow {
  return { id: ids.next(), channelId, authorId, content, mentions: [], nonce, createdAt: new Date() };
}

async function stored(channelId: bigint): Promise<Array<{ id: string; content: string }>> {
  return executeRows(
    storage.db,
    sql`select id::text as id, content from messages where channel_id = ${channelId} order by id`,
  );
}

/**
 * How many transactions wrote these rows: rows written by one statement (outside an explicit
 * transaction) share its transaction id, `xmin`. Observed in the table itself, on both engines.
 */
async function transactions(where: SQL): Promise<number> {
  const [r] = await executeRows<{ n: number }>(
    storage.db,
    sql`select count(distinct xmin::text)::int as n from messages where ${where}`,
  );
  return Number(r?.n);
}

function sqlState(err: unknown): unknown {
  const e = err as { code?: unknown; cause?: { code?: unknown } };
  return e.code ?? e.cause?.code;
}

describe('MessageWriter', () => {
  it('writes one insert alone and resolves with the stored row', async () => {
    const writer = new MessageWriter(storage.db);
    const channel = await freshChannel();
    const r = row(channel, ann, 'solo', 'solo-1');
    const out = await writer.insert(r);
    expect(out).toMatchObject({
      id: r.id,
      channelId: channel,
      authorId: ann,
      content: 'solo',
      nonce: 'solo-1',
      mentions: [],
      editedAt: null,
    });
    expect(out?.createdAt).toBeInstanceOf(Date);
    expect(await stored(channel)).toEqual([{ id: r.id.toString(), content: 'solo' }]);
  });

  it('writes 50 inserts started in one turn as one statement, each resolving with its own row', async () => {
    const writer = new MessageWriter(storage.db);
    const channel = await freshChannel();
    const rows = Array.from({ length: 50 }, (_, i) => row(channel, i % 2 ? ann : ben, `m${i}`, `fifty-${i}`));
    const results = await Promise.all(rows.map((r) => writer.insert(r)));
    results.forEach((out, i) => {
      const r = rows[i] as NewMessageRow;
      expect(out).toMatchObject({ id: r.id, authorId: r.authorId, content: r.content, nonce: r.nonce });
    });
    expect((await stored(channel)).map((m) => m.content)).toEqual(rows.map((r) => r.content));
    expect(await transactions(sql`channel_id = ${channel}`)).toBe(1);
  });

  it('splits a long queue into several full statements, each row still resolved and stored', async () => {
    const writer = new MessageWriter(storage.db);
    const channel = await freshChannel();
    const rows = Array.from({ length: 250 }, (_, i) => row(channel, ann, `b${i}`));
    const results = await Promise.all(rows.map((r) => writer.insert(r)));
    expect(results.map((out) => out?.id)).toEqual(rows.map((r) => r.id));
    expect((await stored(channel)).map((m) => m.content)).toEqual(rows.map((r) => r.content));
    // Rows per statement, in the order written: capped groups, then what is left.
    const groups = await executeRows<{ n: number }>(
      storage.db,
      sql`select count(*)::int as n from messages where channel_id = ${channel}
        group by xmin::text order by min(id)`,
    );
    const sizes = groups.map((g) => Number(g.n));
    expect(sizes.length).toBeGreaterThan(1);
    expect(sizes.length).toBeLessThanOrEqual(5);
    const [cap, ...rest] = sizes as [number, ...number[]];
    for (const n of rest.slice(0, -1)) expect(n).toBe(cap);
    expect(rest.at(-1)).toBeLessThanOrEqual(cap);
  });

  it('puts inserts that arrive after a group has left into the next group, none lost', async () => {
    const writer = new MessageWriter(storage.db);
    const channel = await freshChannel();
    const first = Array.from({ length: 20 }, (_, i) => row(channel, ann, `first ${i}`));
    const firstDone = Promise.all(first.map((r) => writer.insert(r)));
    // Once the first group is on its way, more arrive.
    await new Promise((resolve) => setImmediate(resolve));
    const second = Array.from({ length: 20 }, (_, i) => row(channel, ben, `second ${i}`));
    const secondDone = Promise.all(second.map((r) => writer.insert(r)));
    const results = [...(await firstDone), ...(await secondDone)];
    expect(results.map((out) => out?.id)).toEqual([...first, ...second].map((r) => r.id));
    expect(await stored(channel)).toHaveLength(40);
    expect(await transactions(sql`channel_id = ${channel}`)).toBe(2);
  });

  it('stores the first of two rows with one (author, nonce) in a group; the other resolves undefined', async () => {
    const writer = new MessageWriter(storage.db);
    const channel = await freshChannel();
    const firstDup = row(channel, ann, 'first', 'dup');
    const secondDup = row(channel, ann, 'second', 'dup');
    const otherAuthor = row(channel, ben, 'same nonce, other author', 'dup');
    const plain = row(channel, ann, 'no nonce');
    const results = await Promise.all([firstDup, secondDup, otherAuthor, plain].map((r) => writer.insert(r)));
    expect(results.map((out) => out?.content)).toEqual([
      'first',
      undefined,
      'same nonce, other author',
      'no nonce',
    ]);
    expect((await stored(channel)).map((m) => m.content)).toEqual([
      'first',
      'same nonce, other author',
      'no nonce',
    ]);
    // A later group: the nonce is still taken.
    expect(await writer.insert(row(channel, ann, 'third', 'dup'))).toBeUndefined();
    const again = await Promise.all([
      writer.insert(row(channel, ann, 'fourth', 'dup')),
      writer.insert(row(channel, ann, 'fresh', 'dup-2')),
    ]);
    expect(again.map((out) => out?.content)).toEqual([undefined, 'fresh']);
  });

  it('fails only the row whose channel does not exist; the rest of its group is stored', async () => {
    const writer = new MessageWriter(storage.db);
    const channel = await freshChannel();
    const missing = ids.next();
    const rows = [
      row(channel, ann, 'ok 0'),
      row(channel, ben, 'ok 1'),
      row(missing, ann, 'nowhere'),
      row(channel, ann, 'ok 3', 'bad-group-nonce'),
      row(channel, ben, 'ok 4'),
    ];
    const results = await Promise.allSettled(rows.map((r) => writer.insert(r)));
    expect(results.map((r) => r.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
    ]);
    expect(sqlState((results[2] as PromiseRejectedResult).reason)).toBe('23503');
    const values = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value as MessageRow] : []));
    expect(values.map((m) => m.content)).toEqual(['ok 0', 'ok 1', 'ok 3', 'ok 4']);
    expect((await stored(channel)).map((m) => m.content)).toEqual(['ok 0', 'ok 1', 'ok 3', 'ok 4']);
    expect(await stored(missing)).toEqual([]);
    // And the writer carries on: the next group is one statement again.
    const next = Array.from({ length: 5 }, (_, i) => row(channel, ann, `after ${i}`));
    await Promise.all(next.map((r) => writer.insert(r)));
    expect(await transactions(sql`content like 'after %' and channel_id = ${channel}`)).toBe(1);
  });

  it('a group that is all bad rejects every row and stores none', async () => {
    const writer = new MessageWriter(storage.db);
    const missing = ids.next();
    const results = await Promise.allSettled(
      Array.from({ length: 3 }, (_, i) => writer.insert(row(missing, ann, `lost ${i}`))),
    );
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    for (const r of results) expect(sqlState((r as PromiseRejectedResult).reason)).toBe('23503');
    expect(await stored(missing)).toEqual([]);
  });
});
