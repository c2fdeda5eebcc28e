import { PassThrough } from 'node:stream';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/test-db.js';
import { executeRows, openStorage, type StorageOptions } from '../storage/db.js';
import { migrate, readMigrations } from '../storage/migrate.js';
import { restoreBackup } from './restore-backup.js';
import { writeBackup } from './write-backup.js';

const dbs: TestDatabase[] = [];
afterAll(async () => {
  for (const db of dbs) await db.drop();
});

async function emptyStorage() {
  const db = await createTestDatabase(undefined, { empty: true });
  dbs.push(db);
  const options: StorageOptions =
    db.database.kind === 'postgres' ? db.database : { kind: 'pglite', dataDir: db.dataDir };
  return openStorage(options);
}

describe('a backup made by an earlier version', () => {
  it('restores at its own migrations, then this version’s later ones run over its rows', async () => {
    const all = readMigrations();
    const older = all.slice(0, -1);
    const source = await emptyStorage();
    await migrate(source.db, older);
    await source.db.execute(
      sql`insert into users (id, username, password_hash) values (42, 'Old', 'x'), (43, 'Timer', 'y')`,
    );
    const archive = new PassThrough();
    const chunks: Buffer[] = [];
    archive.on('data', (c: Buffer) => chunks.push(c));
    const manifest = await writeBackup(
      source.db,
      source.engine,
      { encryptionKey: undefined, tls: undefined },
      archive,
    );
    await source.close();
    expect(manifest.migrations.map((m) => m.version)).toEqual(older.map((m) => m.version));

    const target = await emptyStorage();
    try {
      const input = new PassThrough();
      input.end(Buffer.concat(chunks));
      await restoreBackup(target.db, input);
      const versions = await executeRows<{ version: number }>(
        target.db,
        sql`select version from schema_migrations order by version`,
      );
      expect(versions.map((v) => v.version)).toEqual(all.map((m) => m.version));
      // The last migration's columns exist and the old rows went through it.
      const users = await executeRows<{ id: string; username: string; deleted_at: unknown }>(
        target.db,
        sql`select id::text as id, username, deleted_at from users order by id`,
      );
      expect(users).toEqual([
        { id: '42', username: 'Old', deleted_at: null },
        { id: '43', username: 'Timer', deleted_at: null },
      ]);
    } finally {
      await target.close();
    }
  }, 60_000);
});
