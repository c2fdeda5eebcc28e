/**
 * `npm run bench:commit`: what durable commits cost on the embedded engine. The server's storage
 * (fsync on, WAL synced with fsync, apps/server/src/storage/durable-pglite.ts) against the same
 * PGlite as shipped (fsync off: nothing synced), in the same run, rounds interleaved so that a busy
 * machine weighs on both alike. Two shapes: one message per commit (the worst case), and 50 per
 * commit (what the group commit makes of a burst). The baseline is PGlite with fsync off: the
 * best the bare engine does, keeping nothing through a power cut.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { type SQL, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/pglite';
import { openStorage } from '../apps/server/src/storage/db.js';

const ROUNDS = 5;
const COMMITS = 400;

/** What a target must do: run one statement (its own commit). */
interface Executor {
  execute(query: SQL): Promise<unknown>;
}

interface Target {
  name: string;
  db: Executor;
  close(): Promise<void>;
}

async function durable(dir: string): Promise<Target> {
  const storage = await openStorage({ kind: 'pglite', dataDir: dir });
  return { name: 'durable (Decentra)', db: storage.db, close: () => storage.close() };
}

async function asShipped(dir: string): Promise<Target> {
  const client = await PGlite.create(join(dir, 'pgdata'));
  return {
    name: 'fsync off (PGlite as shipped)',
    db: drizzle(client),
    close: () => client.close(),
  };
}

async function commitsPerSecond(db: Executor, rowsPerCommit: number): Promise<number> {
  const rows = sql.join(
    Array.from({ length: rowsPerCommit }, (_, i) => sql`(${i}, repeat('x', 80))`),
    sql`, `,
  );
  const t0 = performance.now();
  for (let n = 0; n < COMMITS; n++) await db.execute(sql`insert into probe (n, body) values ${rows}`);
  return (COMMITS * rowsPerCommit) / ((performance.now() - t0) / 1000);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

const dirs = [mkdtempSync(join(tmpdir(), 'commit-durable-')), mkdtempSync(join(tmpdir(), 'commit-plain-'))];
const targets = [await durable(dirs[0] as string), await asShipped(dirs[1] as string)];
for (const t of targets) await t.db.execute(sql`create table probe (n int, body text)`);
console.log(
  `machine: ${cpus().length} cores (${cpus()[0]?.model.trim()}), ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}; ${ROUNDS} rounds of ${COMMITS} commits, interleaved`,
);
const results = new Map<string, Map<number, number[]>>();
for (let round = 0; round < ROUNDS; round++) {
  for (const rowsPerCommit of [1, 50]) {
    for (const t of round % 2 === 0 ? targets : [...targets].reverse()) {
      const byShape = results.get(t.name) ?? new Map<number, number[]>();
      results.set(t.name, byShape);
      const runs = byShape.get(rowsPerCommit) ?? [];
      byShape.set(rowsPerCommit, runs);
      runs.push(await commitsPerSecond(t.db, rowsPerCommit));
    }
  }
}
const baseline = results.get(targets[1]?.name ?? '');
console.log('| target | rows per commit | rows/s (median) | vs fsync off |');
console.log('|---|---:|---:|---:|');
for (const [name, byShape] of results) {
  for (const [shape, runs] of byShape) {
    const base = median(baseline?.get(shape) ?? []);
    console.log(`| ${name} | ${shape} | ${median(runs).toFixed(0)} | ${(median(runs) / base).toFixed(2)} |`);
  }
}
for (const t of targets) await t.close();
for (const d of dirs) rmSync(d, { recursive: true, force: true });
