import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { ENGINE } from '../../test/test-db.js';
import { executeRows, openStorage, type Storage } from './db.js';

/** The embedded engine's own set-up: a new folder, its memory settings, and what survives a restart. */
describe.runIf(ENGINE === 'pglite')('embedded storage (PGlite)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'decentra-pglite-'));
  const opened: Storage[] = [];

  async function open(): Promise<Storage> {
    const storage = await openStorage({ kind: 'pglite', dataDir });
    opened.push(storage);
    return storage;
  }

  async function sharedBuffers(storage: Storage): Promise<string | undefined> {
    const [row] = await executeRows<{ shared_buffers: string }>(storage.db, sql`show shared_buffers`);
    return row?.shared_buffers;
  }

  afterAll(async () => {
    for (const s of opened) await s.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates a database in a new, empty folder, with 32MB of shared buffers', async () => {
    expect(existsSync(join(dataDir, 'pgdata'))).toBe(false);
    const rssBefore = process.memoryUsage().rss;
    const storage = await open();
    // initdb ran in a child process: done here it would leave ~650 MB of WebAssembly heap behind
    // for good; opening the finished folder costs ~120 MB.
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(400 * 2 ** 20);
    expect(existsSync(join(dataDir, 'pgdata', 'PG_VERSION'))).toBe(true);
    await storage.ping();
    expect(await sharedBuffers(storage)).toBe('32MB');
    expect(await storage.claimWorkerId()).toBe(0);
    await storage.db.execute(sql`create table kept (id int primary key, note text not null)`);
    await storage.db.execute(sql`insert into kept values (1, 'one'), (2, 'two')`);
    await storage.close();
    await storage.close();
  }, 120_000);

  it('reopens the same folder with its data, and the same settings', async () => {
    const storage = await open();
    expect(await executeRows(storage.db, sql`select id, note from kept order by id`)).toEqual([
      { id: 1, note: 'one' },
      { id: 2, note: 'two' },
    ]);
    expect(await sharedBuffers(storage)).toBe('32MB');
    await storage.db.execute(sql`insert into kept values (3, 'three')`);
    await storage.close();
    const again = await open();
    expect(await executeRows(again.db, sql`select count(*)::int as n from kept`)).toEqual([{ n: 3 }]);
    await again.close();
  }, 120_000);
});
