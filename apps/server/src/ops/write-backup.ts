import type { Writable } from 'node:stream';
import { type SQL, sql } from 'drizzle-orm';
import { serverVersion } from '../features/admin/version.js';
import { type Db, executeRows } from '../storage/db.js';
import {
  ENCRYPTION_KEY_PART,
  FORMAT,
  FORMAT_VERSION,
  MANIFEST,
  type Manifest,
  ROWS_PER_PART,
  TLS_CERT_PART,
  TLS_KEY_PART,
  tablePart,
} from './archive-format.js';
import type { BackupKeys } from './backup-keys.js';
import { quote, readCatalog, type TableInfo } from './catalog.js';
import { TarWriter } from './tar-stream.js';

/**
 * Writes a backup of `db` and `keys` to `out`: the one way a backup is made, by the CLI on a
 * database it opened and by the running server's admin route. Every table is read in one
 * REPEATABLE READ READ ONLY transaction, so the archive is the database at a single instant
 * however much is written meanwhile (on the embedded engine, whose one connection that
 * transaction holds, writes wait until it ends).
 */
export async function writeBackup(
  db: Db,
  engine: Manifest['engine'],
  keys: BackupKeys,
  out: Writable,
): Promise<Manifest> {
  const tar = new TarWriter(out);
  const manifest = await db.transaction(
    async (tx) => {
      const tables = await readCatalog(tx);
      const manifest: Manifest = {
        format: FORMAT,
        formatVersion: FORMAT_VERSION,
        decentraVersion: serverVersion(),
        engine,
        createdAt: new Date().toISOString(),
        migrations: await executeRows<{ version: number; name: string }>(
          tx,
          sql`select version, name from schema_migrations order by version`,
        ),
        tables: [],
        sequences: await executeRows<{ name: string; value: string }>(
          tx,
          sql`select sequencename as name, last_value::text as value from pg_sequences
              where schemaname = current_schema() and last_value is not null order by sequencename`,
        ),
        keys: { encryptionKey: keys.encryptionKey !== undefined, tls: keys.tls !== undefined },
      };
      for (const t of tables) {
        const [count] = await executeRows<{ n: string }>(
          tx,
          sql.raw(`select count(*)::text as n from ${quote(t.name)}`),
        );
        const rows = Number(count?.n ?? 0);
        manifest.tables.push({ name: t.name, rows, parts: Math.ceil(rows / ROWS_PER_PART) });
      }
      await tar.add(MANIFEST, Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`));
      if (keys.encryptionKey) await tar.add(ENCRYPTION_KEY_PART, keys.encryptionKey);
      if (keys.tls) {
        await tar.add(TLS_CERT_PART, keys.tls.cert);
        await tar.add(TLS_KEY_PART, keys.tls.key);
      }
      for (const t of tables) await dumpTable(tx, t, tar);
      return manifest;
    },
    { isolationLevel: 'repeatable read', accessMode: 'read only' },
  );
  await tar.finish();
  return manifest;
}

async function dumpTable(db: Db, table: TableInfo, tar: TarWriter): Promise<void> {
  const cols = table.columns.map(quote).join(', ');
  const key = table.primaryKey.map((k) => quote(k.name)).join(', ');
  let after: string[] | undefined;
  for (let part = 1; ; part++) {
    const where = after
      ? sql.join(
          [
            sql.raw(`where (${key}) > (`),
            sql.join(
              after.map((v, i) => sql`${v}::${sql.raw(table.primaryKey[i]?.type ?? 'text')}`),
              sql`, `,
            ),
            sql.raw(')'),
          ],
          sql``,
        )
      : sql``;
    const keyText = table.primaryKey.map((k, i) => `t.${quote(k.name)}::text as k${i}`).join(', ');
    const query: SQL = sql`select row_to_json(t)::text as j, ${sql.raw(keyText)}
      from (select ${sql.raw(cols)} from ${sql.raw(quote(table.name))} ${where}
            order by ${sql.raw(key)} limit ${ROWS_PER_PART}) t
      order by ${sql.raw(table.primaryKey.map((k) => `t.${quote(k.name)}`).join(', '))}`;
    const rows = await executeRows<Record<string, string>>(db, query);
    if (rows.length === 0) return;
    await tar.add(tablePart(table.name, part), Buffer.from(`${rows.map((r) => r.j).join('\n')}\n`));
    const last = rows.at(-1) ?? {};
    after = table.primaryKey.map((_, i) => last[`k${i}`] ?? '');
    if (rows.length < ROWS_PER_PART) return;
  }
}
