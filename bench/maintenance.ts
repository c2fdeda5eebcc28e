/**
 * `npm run bench:maintenance`: what the embedded engine's maintenance round costs (its longest
 * statement is a pause for every other query). A fresh data folder with BENCH_MESSAGES messages
 * (default 1,000,000) in 10 channels; then the round as the server runs it (VACUUM (ANALYZE) one
 * table at a time), against the bare tool's way, one VACUUM (ANALYZE) of the whole database, on
 * the same data after 10,000 new messages each (the first round, on tables never vacuumed, alone).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { systemClock } from '../apps/server/src/kernel/clock.js';
import { openStorage } from '../apps/server/src/storage/db.js';
import { EmbeddedMaintenance } from '../apps/server/src/storage/embedded-maintenance.js';
import { migrate } from '../apps/server/src/storage/migrate.js';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 1_000_000);
const dir = mkdtempSync(join(tmpdir(), 'bench-maintenance-'));
const storage = await openStorage({ kind: 'pglite', dataDir: dir });
const run = (text: string) => storage.db.execute(sql.raw(text));
const addMessages = (from: number, count: number) =>
  run(`insert into messages (id, channel_id, author_id, content, created_at)
       select (g::bigint << 22), 2000 + g % 10, 5,
         'message ' || g || ' with a little text to make it a typical chat line', now()
       from generate_series(${from}, ${from + count - 1}) g`);
const timed = async (fn: () => Promise<unknown>) => {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
};
const maintenance = new EmbeddedMaintenance({
  db: storage.db,
  clock: systemClock,
  onRound: () => {},
  onProblem: () => {},
});

try {
  console.log(
    `machine: ${cpus().length} cores (${cpus()[0]?.model.trim()}), ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}; ${MESSAGES} messages`,
  );
  await migrate(storage.db);
  await run(`insert into users (id, username, password_hash) values (5, 'me', 'x')`);
  await run(`insert into servers (id, name, owner_id) values (1000, 's', 5)`);
  await run(
    `insert into channels (id, server_id, type, name) select 2000 + c, 1000, 'text', 'c' || c from generate_series(0, 9) c`,
  );
  for (let i = 0; i < MESSAGES; i += 100_000) await addMessages(i + 1, Math.min(100_000, MESSAGES - i));
  const roundFirst = await maintenance.round();
  await addMessages(MESSAGES + 1, 10_000);
  const roundAfter = await maintenance.round();
  await addMessages(MESSAGES + 10_001, 10_000);
  const bareAfter = await timed(() => run('vacuum (analyze)'));
  const line = (
    label: string,
    r: { ms: number; longestMs: number; longestStatement: string; tables: number },
    bare: number,
  ) =>
    console.log(
      `${label}: round ${r.ms.toFixed(0)} ms over ${r.tables} tables, longest pause ${r.longestMs.toFixed(0)} ms (${r.longestStatement}); bare VACUUM (ANALYZE) of the database ${bare.toFixed(0)} ms (the round's longest pause ${(r.longestMs / bare).toFixed(2)} of it)`,
    );
  console.log(
    `first round (tables never vacuumed): ${roundFirst.ms.toFixed(0)} ms over ${roundFirst.tables} tables, longest pause ${roundFirst.longestMs.toFixed(0)} ms (${roundFirst.longestStatement})`,
  );
  line('after 10,000 new messages', roundAfter, bareAfter);
} finally {
  await storage.close();
  rmSync(dir, { recursive: true, force: true });
}
