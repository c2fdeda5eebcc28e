/**
 * `npm run bench:heads`: what keeping `channel_heads` costs the group commit. The statement as
 * built (`insertMessages`: messages, message_mentions and channel_heads CTEs) against the same
 * statement without the heads CTE, on the embedded engine (durable, as the server opens it) and on
 * PostgreSQL (a scratch database on BENCH_DATABASE_URL; BENCH_ENGINES=pglite skips it), rounds
 * interleaved so that a busy machine weighs on both alike. Two shapes: one message per commit (a
 * quiet server) and 50 per commit over 20 channels (what the group commit makes of a burst).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { insertMessages, type NewMessageRow } from '../apps/server/src/features/messages/messages.repo.js';
import { IdGenerator } from '../apps/server/src/infra/ids.js';
import type { Db } from '../apps/server/src/storage/db.js';
import { migrate } from '../apps/server/src/storage/migrate.js';
import { messageMentions, messages } from '../apps/server/src/storage/schema.js';
import { openBenchStorage } from './lib/bench-storage.js';

const ENGINES = (process.env.BENCH_ENGINES ?? 'pglite,postgres').split(',');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const COMMITS = Number(process.env.BENCH_COMMITS ?? 300);
const CHANNELS = 20;

/** The group commit's statement as it was before the heads CTE (messages.repo.ts at 94e80e2). */
async function insertWithoutHeads(db: Db, rows: NewMessageRow[]): Promise<unknown> {
  const inserted = db
    .$with('inserted')
    .as(db.insert(messages).values(rows).onConflictDoNothing().returning());
  const mentioned = db.$with('mentioned', {}).as(
    sql`insert into ${messageMentions} (user_id, channel_id, message_id)
        select m.user_id, i.channel_id, i.id from inserted i cross join lateral unnest(i.mentions) as m(user_id)
        where m.user_id <> i.author_id
        on conflict do nothing`,
  );
  return db.with(inserted, mentioned).select().from(inserted);
}

const targets = [
  { name: 'with heads (as built)', write: insertMessages },
  { name: 'without heads', write: insertWithoutHeads },
] as const;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

async function benchEngine(engine: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-heads-'));
  const { storage, drop } = await openBenchStorage(engine, dir, { prefix: 'bench_heads', poolSize: 4 });
  const db = storage.db;
  try {
    await migrate(db);
    await db.execute(
      sql.raw(`insert into users (id, username, password_hash) values (5, 'me', 'x'), (6, 'you', 'x')`),
    );
    await db.execute(sql.raw(`insert into servers (id, name, owner_id) values (100, 's', 5)`));
    await db.execute(
      sql.raw(
        `insert into channels (id, server_id, type, name) select 1000 + c, 100, 'text', 'c' || c from generate_series(0, ${CHANNELS - 1}) c`,
      ),
    );
    const ids = new IdGenerator(1);
    let n = 0;
    const rows = (count: number): NewMessageRow[] =>
      Array.from({ length: count }, () => {
        n++;
        return {
          id: ids.next(),
          channelId: BigInt(1000 + (n % CHANNELS)),
          authorId: n % 2 ? 5n : 6n,
          content: 'a message of a typical length for a chat line, nothing more to it',
          mentions: [],
          nonce: null,
          createdAt: new Date(),
        };
      });
    const results = new Map<string, Map<number, number[]>>();
    for (let round = -1; round < ROUNDS; round++) {
      for (const perCommit of [1, 50]) {
        for (const t of round % 2 === 0 ? targets : [...targets].reverse()) {
          const t0 = performance.now();
          for (let c = 0; c < COMMITS; c++) await t.write(db, rows(perCommit));
          const rate = (COMMITS * perCommit) / ((performance.now() - t0) / 1000);
          if (round < 0) continue;
          const byShape = results.get(t.name) ?? new Map<number, number[]>();
          results.set(t.name, byShape);
          byShape.set(perCommit, [...(byShape.get(perCommit) ?? []), rate]);
        }
      }
    }
    console.log(`\n## ${engine}: ${ROUNDS} rounds of ${COMMITS} commits per shape, interleaved`);
    console.log('| statement | rows per commit | rows/s (median) | ms per commit | vs without heads |');
    console.log('|---|---:|---:|---:|---:|');
    const base = results.get('without heads');
    for (const [name, byShape] of results) {
      for (const [shape, runs] of byShape) {
        const rate = median(runs);
        const ratio = rate / median(base?.get(shape) ?? []);
        console.log(
          `| ${name} | ${shape} | ${rate.toFixed(0)} | ${((1000 * shape) / rate).toFixed(3)} | ${ratio.toFixed(3)} |`,
        );
      }
    }
  } finally {
    await storage.close();
    await drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(
  `machine: ${cpus().length} cores (${cpus()[0]?.model.trim()}), ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}`,
);
for (const engine of ENGINES) await benchEngine(engine);
