import type { Readable } from 'node:stream';
import { sql } from 'drizzle-orm';
import { type Db, executeRows } from '../storage/db.js';
import { migrate, readMigrations } from '../storage/migrate.js';
import {
  ENCRYPTION_KEY_PART,
  FORMAT_VERSION,
  MANIFEST,
  type Manifest,
  ManifestSchema,
  TLS_CERT_PART,
  TLS_KEY_PART,
} from './archive-format.js';
import type { BackupKeys } from './backup-keys.js';
import { quote, readCatalog } from './catalog.js';
import { CorruptArchiveError, readTar } from './tar-stream.js';

/** A backup that cannot go into this target, or that this version cannot read. */
export class RestoreRefusedError extends Error {
  override name = 'RestoreRefusedError';
}

const TABLE_PART = /^tables\/([a-z0-9_]+)\/\d{6}\.jsonl$/;

/** Whether the database has no tables at all (the only kind a restore goes into). */
export async function isEmptyDatabase(db: Db): Promise<boolean> {
  const [row] = await executeRows<{ n: string }>(
    db,
    sql`select count(*)::text as n from pg_tables where schemaname = current_schema()`,
  );
  return row?.n === '0';
}

/**
 * Loads a backup into an empty database, all in one transaction: the migrations the backup was
 * made at, every row (in the backup's order, parents first), the sequences, then the migrations
 * this version has beyond them. Row counts are checked against the manifest before it commits; a
 * damaged, cut-short or foreign archive leaves the database as it was. Answers the keys it held.
 */
export async function restoreBackup(
  db: Db,
  input: Readable,
): Promise<{ manifest: Manifest; keys: BackupKeys }> {
  const entries = readTar(input);
  const first = await entries.next();
  if (first.done || first.value.path !== MANIFEST) {
    throw new CorruptArchiveError('this is not a Decentra backup (no manifest.json first)');
  }
  const manifest = parseManifest(first.value.data);
  const known = readMigrations();
  const knownVersions = new Set(known.map((m) => m.version));
  const newer = manifest.migrations.find((m) => !knownVersions.has(m.version));
  if (newer) {
    throw new RestoreRefusedError(
      `this backup was made by a newer Decentra (${manifest.decentraVersion}, migration ${newer.name}): restore it with that version or later`,
    );
  }
  const made = new Set(manifest.migrations.map((m) => m.version));
  const keys: BackupKeys = { encryptionKey: undefined, tls: undefined };
  let tlsCert: Buffer | undefined;
  let tlsKey: Buffer | undefined;

  await db.transaction(async (tx) => {
    if (!(await isEmptyDatabase(tx))) throw new RestoreRefusedError('the target database is not empty');
    await migrate(
      tx,
      known.filter((m) => made.has(m.version)),
    );
    // Its rows come from the backup, applied_at and all.
    await tx.execute(sql`delete from schema_migrations`);
    const catalog = new Map((await readCatalog(tx)).map((t) => [t.name, t]));
    const loaded = new Map<string, number>();
    for await (const entry of entries) {
      if (entry.path === ENCRYPTION_KEY_PART) keys.encryptionKey = entry.data;
      else if (entry.path === TLS_CERT_PART) tlsCert = entry.data;
      else if (entry.path === TLS_KEY_PART) tlsKey = entry.data;
      else {
        const table = TABLE_PART.exec(entry.path)?.[1];
        const info = table === undefined ? undefined : catalog.get(table);
        if (!info)
          throw new CorruptArchiveError(`the archive holds ${entry.path}, which this version cannot restore`);
        const lines = entry.data
          .toString('utf8')
          .split('\n')
          .filter((l) => l.length > 0);
        const cols = info.columns.map(quote).join(', ');
        await tx.execute(
          sql`insert into ${sql.raw(quote(info.name))} (${sql.raw(cols)})
              select ${sql.raw(cols)} from json_populate_recordset(null::${sql.raw(quote(info.name))}, ${`[${lines.join(',')}]`}::json)`,
        );
        loaded.set(info.name, (loaded.get(info.name) ?? 0) + lines.length);
      }
    }
    for (const t of manifest.tables) {
      const [row] = await executeRows<{ n: string }>(
        tx,
        sql.raw(`select count(*)::text as n from ${quote(t.name)}`),
      );
      if (Number(row?.n) !== t.rows || (loaded.get(t.name) ?? 0) !== t.rows) {
        throw new CorruptArchiveError(
          `the archive is incomplete: ${t.name} has ${loaded.get(t.name) ?? 0} of its ${t.rows} rows`,
        );
      }
    }
    for (const s of manifest.sequences) {
      await tx.execute(sql`select setval(${quote(s.name)}, ${s.value}::bigint, true)`);
    }
    if (manifest.keys.encryptionKey !== (keys.encryptionKey !== undefined)) {
      throw new CorruptArchiveError('the archive is incomplete: its encryption key is missing');
    }
    if (manifest.keys.tls !== (tlsCert !== undefined && tlsKey !== undefined)) {
      throw new CorruptArchiveError('the archive is incomplete: its TLS certificate or key is missing');
    }
    await migrate(tx, known);
  });
  if (tlsCert && tlsKey) keys.tls = { cert: tlsCert, key: tlsKey };
  return { manifest, keys };
}

function parseManifest(data: Buffer): Manifest {
  let json: unknown;
  try {
    json = JSON.parse(data.toString('utf8'));
  } catch {
    throw new CorruptArchiveError('the manifest is damaged (not JSON)');
  }
  const parsed = ManifestSchema.safeParse(json);
  if (!parsed.success) throw new CorruptArchiveError('this is not a Decentra backup (an unknown manifest)');
  if (parsed.data.formatVersion > FORMAT_VERSION) {
    throw new RestoreRefusedError(
      `this backup is in format ${parsed.data.formatVersion}, newer than this version reads (${FORMAT_VERSION}): upgrade Decentra`,
    );
  }
  return parsed.data;
}
