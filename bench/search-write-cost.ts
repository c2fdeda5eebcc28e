/**
 * `npm run bench:search-writes`: what search's generated columns (search_vector, has_link,
 * has_image) and the GIN index cost a write. The same multi-row insert (what the group commit
 * makes: 1 message per commit on a quiet server, 50 over 20 channels in a burst) into two
 * databases of one engine: migrated as built, and migrated then stripped of the three columns and
 * the index (the baseline). Embedded engine (durable, as the server opens it) and PostgreSQL
 * (BENCH_DATABASE_URL; BENCH_ENGINES=pglite skips it); rounds interleaved.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import type { Db } from '../apps/server/src/storage/db.js';
import { migrate } from '../apps/server/src/storage/migrate.js';
import { openBenchStorage } from './lib/bench-storage.js';

const ENGINES = (process.env.BENCH_ENGINES ?? 'pglite,postgres').split(',');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const COMMITS = Number(process.env.BENCH_COMMITS ?? 200);
const CHANNELS = 20;
const LINES = [
  'see you tomorrow at the meeting, bring the slides',
  'lol that build broke again https://ci.example.com/runs/42',
  'here is the photo https://img.example.com/cat.png',
  'did anyone fix the login bug on the staging server yet?',
];

async function prepare(db: Db, stripped: boolean): Promise<void> {
  await migrate(db);
  await db.execute(sql`insert into users (id, username, password_hash) values (1, 'a', 'x')`);
  await db.execute(sql`insert into servers (id, name, owner_id) values (1, 's', 1)`);
  await db.execute(
    sql.raw(`insert into channels (id, server_id, type, name)
    select 100 + c, 1, 'text', 'c' || c from generate_series(0, ${CHANNELS - 1}) c`),
  );
  if (stripped) {
    await db.execute(sql`drop index messages_search_idx`);
    await db.execute(
      sql`alter table messages drop column search_vector, drop column has_link, drop column has_image`,
    );
  }
}

let nextId = 1_000_000;
async function commits(db: Db, perCommit: number): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < COMMITS; i++) {
    const rows = Array.from({ length: perCommit }, (_, k) => {
      const id = nextId++;
      return sql`(${id}, ${100 + (k % CHANNELS)}, 1, ${LINES[id % LINES.length] ?? ''})`;
    });
    await db.execute(
      sql`insert into messages (id, channel_id, author_id, content) values ${sql.join(rows, sql`, `)}`,
    );
  }
  return (performance.now() - start) / COMMITS;
}

async function bench(engine: string): Promise<string[]> {
  const dirs = [
    mkdtempSync(join(tmpdir(), 'decentra-bench-sw-')),
    mkdtempSync(join(tmpdir(), 'decentra-bench-sw-')),
  ];
  const built = await openBenchStorage(engine, dirs[0] ?? '', { prefix: 'bench_sw', poolSize: 1 });
  const plain = await openBenchStorage(engine, dirs[1] ?? '', { prefix: 'bench_sw', poolSize: 1 });
  try {
    await prepare(built.storage.db, false);
    await prepare(plain.storage.db, true);
    const lines: string[] = [];
    for (const perCommit of [1, 50]) {
      const ours: number[] = [];
      const base: number[] = [];
      for (let r = 0; r < ROUNDS; r++) {
        base.push(await commits(plain.storage.db, perCommit));
        ours.push(await commits(built.storage.db, perCommit));
      }
      const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
      const o = median(ours);
      const b = median(base);
      lines.push(
        `${engine}, ${perCommit} per commit: ${o.toFixed(2)} ms with search columns, ${b.toFixed(2)} ms without (${(o / b).toFixed(2)}x, +${((o - b) / perCommit).toFixed(3)} ms a message)`,
      );
    }
    return lines;
  } finally {
    for (const s of [built, plain]) {
      await s.storage.close();
      await s.drop();
    }
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}

const out = [
  `machine: ${cpus().length} cores (${cpus()[0]?.model.trim()}), ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}; median of ${ROUNDS} interleaved rounds of ${COMMITS} commits`,
];
for (const engine of ENGINES) out.push(...(await bench(engine)));
console.log(out.join('\n'));
