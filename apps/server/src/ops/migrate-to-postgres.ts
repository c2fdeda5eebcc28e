import { PassThrough } from 'node:stream';
import { sql } from 'drizzle-orm';
import { ConfigError, loadConfig } from '../config.js';
import { DataDirLockedError } from '../storage/data-dir-lock.js';
import { type Db, executeRows, openStorage } from '../storage/db.js';
import { quote } from './catalog.js';
import { OperationError, parseCli, runCli, UsageError } from './cli.js';
import { hasEmbeddedDatabase, openEmbedded } from './open-target.js';
import { isEmptyDatabase, restoreBackup } from './restore-backup.js';
import { writeBackup } from './write-backup.js';

const HELP = `Usage: npm run migrate-to-postgres -- DATABASE_URL

Moves the embedded database of DECENTRA_DATA_DIR (default ./data) into an empty PostgreSQL
database: its migrations applied there, every row copied with its ids, row counts compared table
by table. Stop the server first. The data folder is left as it was (its encryption.key and tls/
stay there, and the server still needs them).`;

async function main(): Promise<void> {
  const { positionals, help } = parseCli(process.argv.slice(2), []);
  if (help) {
    console.log(HELP);
    return;
  }
  const [url, ...extra] = positionals;
  if (!url || extra.length > 0) throw new UsageError('give the one postgresql:// URL to move to');
  // The server's own rules for DATABASE_URL; the source is the data folder whatever the environment says.
  const config = loadConfig({ ...process.env, DATABASE_URL: url });
  if (config.database.kind !== 'postgres')
    throw new ConfigError('Invalid configuration: DATABASE_URL is missing');
  const { dataDir } = config;
  if (!hasEmbeddedDatabase(dataDir)) {
    throw new OperationError(
      `there is no embedded database in ${dataDir}: set DECENTRA_DATA_DIR to the data folder`,
    );
  }
  const source = await openEmbedded(dataDir).catch((err: unknown) => {
    if (err instanceof DataDirLockedError) {
      throw new OperationError(`stop the server first: ${err.message.split('. ')[0]}.`);
    }
    throw err;
  });
  try {
    const target = await openStorage({ ...config.database, poolSize: 2 }).catch((err: unknown) => {
      throw new OperationError(`could not connect to DATABASE_URL: ${(err as Error).message}`);
    });
    try {
      if (!(await isEmptyDatabase(target.db))) {
        throw new OperationError(
          'the database at DATABASE_URL is not empty: move into an empty one (nothing was changed)',
        );
      }
      // The same path as backup then restore, through memory instead of a file; the keys stay where they are.
      const pipe = new PassThrough();
      // Either side failing ends the other: neither waits for a stream the other has left.
      const cut = (err: unknown): never => {
        pipe.destroy(err instanceof Error ? err : new Error(String(err)));
        throw err;
      };
      const [written, restored] = await Promise.allSettled([
        writeBackup(source.storage.db, 'pglite', { encryptionKey: undefined, tls: undefined }, pipe).catch(
          cut,
        ),
        restoreBackup(target.db, pipe).catch(cut),
      ]);
      if (written.status === 'rejected') throw written.reason;
      if (restored.status === 'rejected') throw restored.reason;
      const lines: string[] = [];
      for (const t of restored.value.manifest.tables) {
        const [from, to] = [await countRows(source.storage.db, t.name), await countRows(target.db, t.name)];
        if (from !== to) throw new Error(`${t.name}: ${from} rows in the data folder, ${to} in PostgreSQL`);
        lines.push(`  ${t.name.padEnd(24)} ${to}`);
      }
      console.log(
        `Moved ${dataDir} into PostgreSQL; rows per table, equal on both sides:\n${lines.join('\n')}`,
      );
      console.log(
        `Next: set DATABASE_URL to this database and start the server. Keep DECENTRA_DATA_DIR=${dataDir}, which holds encryption.key (or keep DECENTRA_ENCRYPTION_KEY as it is): without that key stored secrets do not decrypt. The embedded database is no longer used; keep it until you have checked the move.`,
      );
    } finally {
      await target.close();
    }
  } finally {
    await source.close();
  }
}

async function countRows(db: Db, table: string): Promise<number> {
  const [row] = await executeRows<{ n: string }>(
    db,
    sql.raw(`select count(*)::text as n from ${quote(table)}`),
  );
  return Number(row?.n);
}

runCli('migrate-to-postgres', main);
