import { generateDrizzleJson, generateMigration } from 'drizzle-kit/api';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/test-db.js';
import { type Db, executeRows, openStorage, type Storage } from './db.js';
import { migrate } from './migrate.js';
import * as schema from './schema.js';

/**
 * schema.ts (Drizzle's typed view) and migrations/*.sql (the source of truth) must describe the
 * same database. drizzle-kit writes the SQL that schema.ts alone would create; both are applied to
 * fresh databases of the engine under test and their catalogs compared (constraint and index
 * names aside: PostgreSQL and drizzle-kit name them differently; their definitions must agree).
 */
const databases: TestDatabase[] = [];
const opened: Storage[] = [];

async function fresh(): Promise<Db> {
  const testDb = await createTestDatabase(undefined, { empty: true });
  databases.push(testDb);
  const storage =
    testDb.database.kind === 'pglite'
      ? await openStorage({ kind: 'pglite', dataDir: testDb.dataDir })
      : await openStorage(testDb.database);
  opened.push(storage);
  return storage.db;
}

async function catalog(db: Db): Promise<string[]> {
  const columns = await executeRows<{ line: string }>(
    db,
    sql`select table_name || '.' || column_name || ' ' || data_type || ' null=' || is_nullable
          || ' default=' || coalesce(column_default, '-') as line
        from information_schema.columns
        where table_schema = 'public' and table_name <> 'schema_migrations'`,
  );
  const indexes = await executeRows<{ line: string }>(
    db,
    sql`select tablename || ' ' || regexp_replace(indexdef, 'INDEX \\S+ ON', 'INDEX ON') as line
        from pg_indexes where schemaname = 'public' and tablename <> 'schema_migrations'`,
  );
  const constraints = await executeRows<{ line: string }>(
    db,
    sql`select conrelid::regclass::text || ' ' || pg_get_constraintdef(oid) as line
        from pg_constraint
        where connamespace = 'public'::regnamespace and conrelid::regclass::text <> 'schema_migrations'`,
  );
  return [...columns, ...indexes, ...constraints].map((r) => r.line).sort();
}

let fromMigrations: string[];
let fromSchema: string[];

beforeAll(async () => {
  const migrated = await fresh();
  await migrate(migrated);
  fromMigrations = await catalog(migrated);
  const drizzled = await fresh();
  const statements = await generateMigration(generateDrizzleJson({}), generateDrizzleJson(schema));
  for (const statement of statements) await drizzled.execute(sql.raw(statement));
  fromSchema = await catalog(drizzled);
}, 120_000);

afterAll(async () => {
  for (const s of opened) await s.close();
  for (const d of databases) await d.drop();
});

describe('schema.ts', () => {
  it('describes the database the migrations make: tables, columns, indexes and constraints', () => {
    const onlyInMigrations = fromMigrations.filter((line) => !fromSchema.includes(line));
    const onlyInSchema = fromSchema.filter((line) => !fromMigrations.includes(line));
    expect({ onlyInMigrations, onlyInSchema }).toEqual({ onlyInMigrations: [], onlyInSchema: [] });
  });
});
