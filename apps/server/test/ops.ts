import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { quote, readCatalog } from '../src/ops/catalog.js';
import { type Db, executeRows } from '../src/storage/db.js';

const SERVER_DIR = fileURLToPath(new URL('..', import.meta.url));

export interface OpResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs one of the operator commands (src/ops) as its own process, as `npm run <name>` does. */
export function runOp(
  name: 'backup' | 'restore' | 'migrate-to-postgres',
  args: string[],
  env: Record<string, string>,
): Promise<OpResult> {
  const child = spawn(process.execPath, ['--import', 'tsx', `src/ops/${name}.ts`, ...args], {
    cwd: SERVER_DIR,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', DECENTRA_TLS: 'off', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => {
    stdout += c;
  });
  child.stderr.setEncoding('utf8').on('data', (c: string) => {
    stderr += c;
  });
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

/** Every row of every table, whole (generated columns too) as JSON text in UTC, in key order. */
export async function allRows(db: Db): Promise<Map<string, string[]>> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`set local timezone = 'UTC'`);
    const rows = new Map<string, string[]>();
    for (const t of await readCatalog(tx)) {
      const key = t.primaryKey.map((k) => quote(k.name)).join(', ');
      const found = await executeRows<{ j: string }>(
        tx,
        sql.raw(`select row_to_json(t)::text as j from ${quote(t.name)} t order by ${key}`),
      );
      rows.set(
        t.name,
        found.map((r) => r.j),
      );
    }
    return rows;
  });
}
