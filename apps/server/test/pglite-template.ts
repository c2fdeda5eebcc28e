import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import type { TestProject } from 'vitest/node';
import type { Db } from '../src/storage/db.js';
import { migrate } from '../src/storage/migrate.js';
import * as schema from '../src/storage/schema.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string;
  }
}

/**
 * vitest globalSetup: a fresh PGlite costs ~4 s (initdb); loading a migrated template costs
 * ~1.5 s. One template per run, so every test file still gets its own empty database.
 */
export default async function setup(project: TestProject): Promise<() => void> {
  const dir = mkdtempSync(join(tmpdir(), 'decentra-template-'));
  const pglite = await PGlite.create();
  await migrate(drizzle(pglite, { schema }) as unknown as Db);
  const dump = await pglite.dumpDataDir('none');
  await pglite.close();
  const file = join(dir, 'template.tar');
  writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  project.provide('pgliteTemplate', file);
  return () => rmSync(dir, { recursive: true, force: true });
}
