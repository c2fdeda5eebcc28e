import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { ENGINE } from '../../test/test-db.js';
import { isDatabaseUnavailable } from '../infra/database-unavailable.js';
import { executeRows, openStorage, type Storage } from './db.js';
import { migrate } from './migrate.js';

/**
 * The embedded database in its own worker thread (DECENTRA_PGLITE_THREAD): the same answers,
 * transactions, errors and durability settings as on the server's thread.
 */
describe.runIf(ENGINE === 'pglite')('the embedded database in a worker thread', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'decentra-pglite-thread-'));
  const opened: Storage[] = [];
  const open = async () => {
    const storage = await openStorage({ kind: 'pglite', dataDir, thread: true });
    opened.push(storage);
    return storage;
  };
  afterAll(async () => {
    for (const s of opened) await s.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('migrates, answers typed rows, and runs durably', async () => {
    const storage = await open();
    await migrate(storage.db);
    await storage.db.execute(
      sql`create table kept (id bigint primary key, at timestamptz not null, note text)`,
    );
    await storage.db.execute(
      sql`insert into kept values (9223372036854775807, '2026-01-02T03:04:05Z', 'one')`,
    );
    const rows = await executeRows<{ id: string; at: string; note: string }>(
      storage.db,
      sql`select id::text as id, at, note from kept`,
    );
    // Timestamps stay text, as Drizzle asks of PGlite; bigints keep every digit.
    expect(rows).toEqual([{ id: '9223372036854775807', at: '2026-01-02 03:04:05+00', note: 'one' }]);
    const settings = await executeRows<{ name: string; setting: string }>(
      storage.db,
      sql`select name, setting from pg_settings where name in ('fsync', 'wal_sync_method') order by name`,
    );
    expect(settings).toEqual([
      { name: 'fsync', setting: 'on' },
      { name: 'wal_sync_method', setting: 'fsync' },
    ]);
  }, 120_000);

  it('commits a transaction, rolls one back when it throws, and keeps a database error’s fields', async () => {
    const storage = opened[0] ?? (await open());
    await storage.db.transaction(async (tx) => {
      await tx.execute(sql`insert into kept values (1, now(), 'committed')`);
    });
    await expect(
      storage.db.transaction(async (tx) => {
        await tx.execute(sql`insert into kept values (2, now(), 'rolled back')`);
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    const failed = await storage.db
      .execute(sql`insert into kept values (1, now(), 'again')`)
      .catch((e: unknown) => e);
    const cause = failed instanceof Error && failed.cause instanceof Error ? failed.cause : failed;
    expect(Reflect.get(cause as object, 'code')).toBe('23505');
    expect(isDatabaseUnavailable(failed)).toBe(false);
    const notes = await executeRows<{ note: string }>(
      storage.db,
      sql`select note from kept where id < 10 order by id`,
    );
    expect(notes).toEqual([{ note: 'committed' }]);
  });

  it('lets a statement outside wait for an open transaction, as one connection does', async () => {
    const storage = opened[0] ?? (await open());
    const order: string[] = [];
    let outside: Promise<{ note: string }[]> | undefined;
    await storage.db.transaction(async (t) => {
      await t.execute(sql`update kept set note = 'in the transaction' where id = 1`);
      outside = executeRows<{ note: string }>(storage.db, sql`select note from kept where id = 1`).then(
        (r) => {
          order.push('outside');
          return r;
        },
      );
      // Asked after the outside read: answered first only if that read waits for the commit.
      await t.execute(sql`select 1`);
      order.push('inside');
    });
    expect(await outside).toEqual([{ note: 'in the transaction' }]);
    expect(order).toEqual(['inside', 'outside']);
  });

  it('keeps what it committed across a close and a reopen', async () => {
    await opened[0]?.close();
    const again = await open();
    const notes = await executeRows<{ note: string }>(again.db, sql`select note from kept where id = 1`);
    expect(notes).toEqual([{ note: 'in the transaction' }]);
  }, 120_000);
});
