import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, ENGINE, type TestDatabase } from '../../../test/test-db.js';
import { IdGenerator } from '../../infra/ids.js';
import { executeRows, openStorage, type Storage } from '../../storage/db.js';
import { migrate } from '../../storage/migrate.js';
import { channels, messages, servers, users } from '../../storage/schema.js';
import { historyAround, historyPage } from './messages.repo.js';

/**
 * History's reads are prepared statements, one per walk and page size. Both engines answer them
 * alike; on PostgreSQL each is planned a few times and then runs on its cached generic plan.
 */
let testDb: TestDatabase;
let storage: Storage;
const ids = new IdGenerator(5);
let channel: bigint;
const sent: bigint[] = [];

beforeAll(async () => {
  testDb = await createTestDatabase();
  storage =
    testDb.database.kind === 'pglite'
      ? await openStorage({ kind: 'pglite', dataDir: testDb.dataDir })
      : await openStorage(testDb.database);
  await migrate(storage.db);
  const ann = ids.next();
  const serverId = ids.next();
  channel = ids.next();
  const elsewhere = ids.next();
  await storage.db.insert(users).values({ id: ann, username: 'ann', passwordHash: 'x' });
  await storage.db.insert(servers).values({ id: serverId, name: 'History', ownerId: ann });
  await storage.db.insert(channels).values([
    { id: channel, serverId, type: 'text', name: 'general' },
    { id: elsewhere, serverId, type: 'text', name: 'other' },
  ]);
  // Interleaved with another channel's messages, which no page of this one may show; enough of
  // them that a plan for "a tenth of the rows" (PostgreSQL's guess for `limit $n`) costs more.
  const rows = Array.from({ length: 40_000 }, (_, i) => ({
    id: ids.next(),
    channelId: i % 2 === 0 ? channel : elsewhere,
    authorId: ann,
    content: `m${i}`,
    mentions: [],
    createdAt: new Date(),
  }));
  for (let i = 0; i < rows.length; i += 5_000)
    await storage.db.insert(messages).values(rows.slice(i, i + 5_000));
  sent.push(...rows.filter((r) => r.channelId === channel).map((r) => r.id));
  await storage.db.execute(sql`analyze`);
});
afterAll(async () => {
  await storage?.close();
  await testDb?.drop();
});

const idsOf = (page: Array<{ message: { id: bigint } }>) => page.map((m) => m.message.id);

describe('history statements', () => {
  it('answer every walk with the channel’s own messages, oldest first', async () => {
    const db = storage.db;
    expect(idsOf(await historyPage(db, channel, { limit: 50 }))).toEqual(sent.slice(-50));
    expect(idsOf(await historyPage(db, channel, { before: sent[100] as bigint, limit: 30 }))).toEqual(
      sent.slice(70, 100),
    );
    expect(idsOf(await historyPage(db, channel, { after: sent[10] as bigint, limit: 5 }))).toEqual(
      sent.slice(11, 16),
    );
    expect(
      idsOf(
        await historyPage(db, channel, { after: sent[10] as bigint, before: sent[13] as bigint, limit: 50 }),
      ),
    ).toEqual(sent.slice(11, 13));
    expect(idsOf(await historyAround(db, channel, sent[150] as bigint, 10))).toEqual(sent.slice(145, 155));
    // The same walk at another size is a statement of its own, and answers its own size.
    expect(idsOf(await historyPage(db, channel, { limit: 3 }))).toEqual(sent.slice(-3));
  });

  it.runIf(ENGINE === 'postgres')(
    'run the newest page on a cached generic plan after its first calls (PostgreSQL)',
    async () => {
      await storage.db.transaction(async (tx) => {
        // One connection: prepared statements and their plans live in it.
        for (let i = 0; i < 10; i++) await historyPage(tx, channel, { limit: 50 });
        const [plan] = await executeRows<{ generic: number; custom: number }>(
          tx,
          sql`select generic_plans::int as generic, custom_plans::int as custom
            from pg_prepared_statements where name = 'history_newest_50'`,
        );
        // Five custom plans come first; then the generic one, planned once. (With `limit $n` every
        // call is planned anew. The walks from an id are weighed by PostgreSQL per value: no rule.)
        expect(plan?.custom).toBe(5);
        expect(plan?.generic).toBeGreaterThanOrEqual(5);
      });
    },
  );
});
