/**
 * `npm run bench:embedded-query`: what one short statement costs on the embedded engine through
 * Decentra's storage (Drizzle over PGlite on the event loop) against the bare tool (PGlite's own
 * `query`, no options), and against the bare tool given Drizzle's per-query `parsers` as Drizzle's
 * stock driver passes them (what `storage/pglite-parsers.ts` takes off). A user by primary key, in
 * memory, rounds interleaved; medians of the rounds' per-query means.
 */
import { cpus, loadavg, totalmem } from 'node:os';
import { PGlite } from '@electric-sql/pglite';
import { eq, sql } from 'drizzle-orm';
import { openStorage } from '../apps/server/src/storage/db.js';
import { migrate } from '../apps/server/src/storage/migrate.js';
import { DRIZZLE_TEXT_PARSERS } from '../apps/server/src/storage/pglite-parsers.js';
import { users } from '../apps/server/src/storage/schema.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
const PER_ROUND = 1_000;
const ID = 4_242n;

const storage = await openStorage({ kind: 'pglite', dataDir: undefined });
await migrate(storage.db);
await storage.db.insert(users).values({ id: ID, username: 'ann', passwordHash: 'x' });

const bare = await PGlite.create();
await bare.exec(`create table users (id bigint primary key, username text not null, avatar_hash text);
  insert into users values (${ID}, 'ann', null)`);
const text = 'select id, username, avatar_hash from users where id = $1';

// As the hot reads are made (storage/prepared.ts): built once, run with a placeholder.
const prepared = storage.db
  .select({ id: users.id, username: users.username, avatarHash: users.avatarHash })
  .from(users)
  .where(eq(users.id, sql.placeholder('id')))
  .prepare('bench_user_by_id');

const all: Record<string, () => Promise<unknown>> = {
  'bare PGlite query': () => bare.query(text, [ID], { rowMode: 'array' }),
  "bare PGlite query with Drizzle's per-query parsers": () =>
    bare.query(text, [ID], { rowMode: 'array', parsers: DRIZZLE_TEXT_PARSERS }),
  'Decentra storage (Drizzle select)': () =>
    storage.db
      .select({ id: users.id, username: users.username, avatarHash: users.avatarHash })
      .from(users)
      .where(eq(users.id, ID)),
  'Decentra storage (Drizzle prepared statement)': () => prepared.execute({ id: ID.toString() }),
};
// BENCH_ONLY=2,3 runs those variants only (1-based), to see one without the others' heaps around.
const only = process.env.BENCH_ONLY?.split(',').map(Number);
const variants = Object.fromEntries(Object.entries(all).filter((_, i) => !only || only.includes(i + 1)));

const samples = new Map<string, number[]>(Object.keys(variants).map((k) => [k, []]));
for (let round = 0; round < ROUNDS + 1; round++) {
  for (const [name, run] of Object.entries(variants)) {
    const t0 = performance.now();
    for (let i = 0; i < PER_ROUND; i++) await run();
    // The first round warms every path up and is not counted.
    if (round > 0) samples.get(name)?.push(((performance.now() - t0) / PER_ROUND) * 1000);
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const base = median(samples.values().next().value ?? []);
console.log(
  `machine: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}; load ${loadavg()[0]?.toFixed(2)}; ${ROUNDS} rounds of ${PER_ROUND}`,
);
console.log('| one statement (a user by id) | median µs | vs bare |\n|---|---:|---:|');
for (const [name, xs] of samples) {
  const m = median(xs);
  console.log(`| ${name} | ${m.toFixed(0)} | ${(m / base).toFixed(2)}× |`);
}
await storage.close();
await bare.close();
