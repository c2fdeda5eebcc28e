import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, ENGINE, type TestDatabase } from '../../test/test-db.js';
import { openStorage, type Storage } from './db.js';
import { migrate, readMigrations } from './migrate.js';

let testDb: TestDatabase;
const opened: Storage[] = [];

async function open(): Promise<Storage> {
  const storage =
    testDb.database.kind === 'pglite'
      ? await openStorage({ kind: 'pglite', dataDir: testDb.dataDir })
      : await openStorage(testDb.database);
  opened.push(storage);
  return storage;
}

beforeAll(async () => {
  testDb = await createTestDatabase(ENGINE, { empty: true });
});
afterAll(async () => {
  for (const s of opened) await s.close();
  await testDb.drop();
});

describe('migrations', () => {
  it('are numbered SQL files, read in order', () => {
    const all = readMigrations();
    expect(all.length).toBeGreaterThan(0);
    expect(all.map((m) => m.version)).toEqual([...all.map((m) => m.version)].sort((a, b) => a - b));
    expect(all[0]?.name).toBe('0001_accounts.sql');
  });

  it('apply once, are recorded, and a second run does nothing', async () => {
    const storage = await open();
    const first = await migrate(storage.db);
    expect(first).toEqual(readMigrations().map((m) => m.name));
    expect(await migrate(storage.db)).toEqual([]);
    const rows = (await storage.db.execute(
      sql`select version, name from schema_migrations order by version`,
    )) as unknown as {
      rows: Array<{ name: string }>;
    };
    expect(rows.rows.map((r) => r.name)).toEqual(first);
    await storage.close();
    opened.pop();
  });

  it('roll back whole when one statement fails', async () => {
    const storage = await open();
    const broken = [
      { version: 9001, name: '9001_good.sql', statements: ['create table good_table (id int)'] },
      { version: 9002, name: '9002_bad.sql', statements: ['create table nope (id nosuchtype)'] },
    ];
    await expect(migrate(storage.db, broken)).rejects.toThrow();
    const tables = (await storage.db.execute(
      sql`select count(*)::int as n from information_schema.tables where table_name = 'good_table'`,
    )) as unknown as { rows: Array<{ n: number }> };
    expect(Number(tables.rows[0]?.n)).toBe(0);
    await storage.close();
    opened.pop();
  });

  it.runIf(ENGINE === 'postgres')('do not race when two instances start at once', async () => {
    const fresh = await createTestDatabase();
    if (fresh.database.kind !== 'postgres') throw new Error('unreachable');
    const a = await openStorage(fresh.database);
    const b = await openStorage(fresh.database);
    try {
      const [ra, rb] = await Promise.all([migrate(a.db), migrate(b.db)]);
      const all = readMigrations().map((m) => m.name);
      // Exactly one of them applied everything; the other waited on the lock and found it done.
      expect([ra, rb].sort((x, y) => y.length - x.length)).toEqual([all, []]);
    } finally {
      await a.close();
      await b.close();
      await fresh.drop();
    }
  });
});
