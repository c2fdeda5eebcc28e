import pg from 'pg';
import { openStorage, type Storage } from '../../apps/server/src/storage/db.js';

/** Where the benches make their scratch PostgreSQL databases. */
export const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';

/** A scratch PostgreSQL database of a bench's own, and how to drop it. */
export interface ScratchDatabase {
  url: string;
  drop(): Promise<void>;
}

/** Makes `<prefix>_<time>_<random>` on the server of ADMIN_URL. */
export async function scratchDatabase(prefix: string): Promise<ScratchDatabase> {
  const name = `${prefix}_${Date.now()}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 3_000 });
  try {
    await admin.connect();
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end().catch(() => {});
  }
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: ADMIN_URL });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

/** The same, or undefined when PostgreSQL cannot be reached (said on `log`): that engine is skipped. */
export async function scratchDatabaseOrSkip(
  prefix: string,
  log: (line: string) => void,
): Promise<ScratchDatabase | undefined> {
  try {
    return await scratchDatabase(prefix);
  } catch (err) {
    log(`postgres: skipped (${err instanceof Error ? err.message : String(err)})`);
    return undefined;
  }
}

/**
 * The server's storage on one engine for a bench: the embedded engine in `dir` (durable, as the
 * server opens it), or a scratch PostgreSQL database named `<prefix>_…`, dropped by `drop`.
 */
export async function openBenchStorage(
  engine: string,
  dir: string,
  options: { prefix: string; poolSize: number },
): Promise<{ storage: Storage; drop: () => Promise<void> }> {
  if (engine === 'pglite') {
    return { storage: await openStorage({ kind: 'pglite', dataDir: dir }), drop: async () => {} };
  }
  const db = await scratchDatabase(options.prefix);
  const storage = await openStorage({ kind: 'postgres', url: db.url, poolSize: options.poolSize });
  return { storage, drop: db.drop };
}
