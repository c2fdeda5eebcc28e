import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Config } from '../src/config.js';

export type Engine = 'pglite' | 'postgres';

export const ENGINE: Engine = process.env.TEST_ENGINE === 'postgres' ? 'postgres' : 'pglite';

/** A fresh, empty place to keep data: a temp data folder, and on PostgreSQL a new database. */
export interface TestDatabase {
  dataDir: string;
  database: Config['database'];
  drop(): Promise<void>;
}

export async function createTestDatabase(engine: Engine = ENGINE): Promise<TestDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), 'decentra-test-'));
  if (engine === 'pglite') {
    return { dataDir, database: { kind: 'pglite' }, drop: async () => rmSync(dataDir, { recursive: true, force: true }) };
  }
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) throw new Error('TEST_DATABASE_URL is needed for the postgres engine');
  const name = `decentra_t_${randomBytes(6).toString('hex')}`;
  await withAdmin(adminUrl, (c) => c.query(`create database ${name}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    dataDir,
    database: { kind: 'postgres', url: url.toString(), poolSize: 10 },
    drop: async () => {
      await withAdmin(adminUrl, (c) => c.query(`drop database if exists ${name} with (force)`));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function withAdmin<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
