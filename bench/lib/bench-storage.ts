import pg from 'pg';
import { openStorage, type Storage } from '../../apps/server/src/storage/db.js';

/** Where the benches make their scratch PostgreSQL databases. */
export const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';

/**
 * The server's storage on one engine for a bench: the embedded engine in `dir` (durable, as the
 * server opens it), or a scratch PostgreSQL database named `<prefix>_<random>`, dropped by `drop`.
 */
export async function openBenchStorage(
  engine: string,
  dir: string,
  options: { prefix: string; poolSize: number },
): Promise<{ storage: Storage; drop: () => Promise<void> }> {
  if (engine === 'pglite') {
    return { storage: await openStorage({ kind: 'pglite', dataDir: dir }), drop: async () => {} };
  }
  const name = `${options.prefix}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const storage = await openStorage({ kind: 'postgres', url: url.toString(), poolSize: options.poolSize });
  return {
    storage,
    drop: async () => {
      await admin.query(`drop database ${name} with (force)`);
      await admin.end();
    },
  };
}
