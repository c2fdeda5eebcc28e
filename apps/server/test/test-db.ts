import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { inject } from 'vitest';
import type { Config } from '../src/config.js';

export type Engine = 'pglite' | 'postgres';

export const ENGINE: Engine = process.env.TEST_ENGINE === 'postgres' ? 'postgres' : 'pglite';

/** A fresh, empty place to keep data: a temp data folder, and on PostgreSQL a new database. */
export interface TestDatabase {
  dataDir: string;
  database: Config['database'];
  drop(): Promise<void>;
}

/** `empty`: no tables at all (the embedded engine otherwise starts from the migrated template). */
export async function createTestDatabase(
  engine: Engine = ENGINE,
  { empty = false } = {},
): Promise<TestDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), 'decentra-test-'));
  if (engine === 'pglite') {
    if (!empty) await seedFromTemplate(dataDir);
    return {
      dataDir,
      database: { kind: 'pglite' },
      drop: async () => rmSync(dataDir, { recursive: true, force: true }),
    };
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

/** Lays the migrated template (see pglite-template.ts) into the data folder the app will open. */
async function seedFromTemplate(dataDir: string): Promise<void> {
  const template = inject('pgliteTemplate');
  if (!template) return;
  const path = join(dataDir, 'pgdata');
  mkdirSync(path, { recursive: true });
  const pglite = await PGlite.create(path, { loadDataDir: new Blob([readFileSync(template)]) });
  await pglite.close();
}
