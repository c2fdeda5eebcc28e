/**
 * Decentra under test, in its own process: createApp on a fresh data folder (PGlite) or on the
 * database in DECENTRA_BENCH_DB (made fresh by the parent; with BENCH_REDIS_URL one of several
 * instances on it), TLS off, abuse limits raised so the
 * bench measures the engine, not the throttles. Commands from the parent (see bench/lib/rpc.ts):
 * setup (users, sessions, servers, members and a text channel per room, by direct SQL: signups
 * would spend ~30 ms of argon2 each), stats (event-loop delay since the last call), gc,
 * seedHistory, shutdown.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import { createApp } from '../../apps/server/src/app.js';
import { loadConfig } from '../../apps/server/src/config.js';
import { historyPage } from '../../apps/server/src/features/messages/messages.repo.js';
import { ID_EPOCH_MS } from '../../apps/server/src/infra/ids.js';
import { createLogger } from '../../apps/server/src/infra/logger.js';
import { serve } from '../lib/rpc.js';
import { startBareHistory } from './bare-history.js';

const METRICS_TOKEN = `bench-${Math.random().toString(36).slice(2)}-metrics`;
const dataDir = mkdtempSync(join(tmpdir(), 'decentra-bench-'));
const url = process.env.DECENTRA_BENCH_DB || undefined;
// Through loadConfig, as `npm start` does, so that settings added later get their defaults.
const config = loadConfig({
  NODE_ENV: 'production',
  PORT: '0',
  HOST: '127.0.0.1',
  DECENTRA_DATA_DIR: dataDir,
  DATABASE_URL: url,
  // Several instances (bench/cluster.ts): the same database, one Redis, a prefix per run.
  REDIS_URL: process.env.BENCH_REDIS_URL || undefined,
  DECENTRA_REDIS_PREFIX: process.env.BENCH_REDIS_PREFIX || undefined,
  DECENTRA_TLS: 'off',
  DECENTRA_ENCRYPTION_KEY: '07'.repeat(32),
  // `DECENTRA_PGLITE_THREAD=true npm run bench …` measures the embedded database in its thread.
  DECENTRA_PGLITE_THREAD: process.env.DECENTRA_PGLITE_THREAD,
  // The bench reads the group commits' sizes from /metrics (the `groupCommits` command).
  DECENTRA_METRICS_TOKEN: METRICS_TOKEN,
  LOG_LEVEL: 'warn',
});

const HUGE = 1_000_000_000;
const app = await createApp({
  config,
  logger: createLogger('warn'),
  sendLimits: { points: HUGE, windowSeconds: 1 },
  gateway: { framesPerWindow: HUGE, frameWindowMs: 1_000 },
});
const base = await app.listen();
const eld = monitorEventLoopDelay({ resolution: 1 });
eld.enable();

const exec = (text: string) => app.storage.db.execute(sql.raw(text));
/** Snowflake-shaped ids in the past (worker 1023, one per millisecond), apart from the app's own. */
const nowRel = Date.now() - ID_EPOCH_MS;
const idExpr = (offsetMs: number, g = 'g') =>
  `(((${nowRel - offsetMs})::bigint + ${g}) << 22) | ${1023 << 12}`;
const idAt = (offsetMs: number, g: number) =>
  ((BigInt(nowRel - offsetMs) + BigInt(g)) << 22n) | (1023n << 12n);
const U = 30_000_000;
const S = 27_000_000;
const SRV = 24_000_000;
const CH = 21_000_000;
const HIST_CH = 20_500_000;
const MSG = 20_000_000;
const secret = Math.random().toString(36).slice(2);
const profileDir = process.env.BENCH_PROFILE_DIR || undefined;
let profiler: Session | undefined;
const closers: Array<() => Promise<void>> = [];

interface HistorySqlArgs {
  channelId: string;
  firstId: string;
  count: number;
  samples: number;
}

const { ready } = serve({
  /** `users` accounts, each with a live session, in rooms of `roomSize` (one server + text channel each). */
  async setup({ users, roomSize }: { users: number; roomSize: number }) {
    const rooms = Math.ceil(users / roomSize);
    const n = users - 1;
    await exec(
      `insert into users (id, username, password_hash) select ${idExpr(U)}, 'bench' || g, 'x' from generate_series(0, ${n}) g`,
    );
    await exec(
      `insert into sessions (id, user_id, token_hash, expires_at) select ${idExpr(S)}, ${idExpr(U)}, sha256(convert_to('bt${secret}x' || g, 'UTF8')), now() + interval '30 days' from generate_series(0, ${n}) g`,
    );
    await exec(
      `insert into servers (id, name, owner_id) select ${idExpr(SRV)}, 'room ' || g, ${idExpr(U, `g * ${roomSize}`)} from generate_series(0, ${rooms - 1}) g`,
    );
    await exec(
      `insert into channels (id, server_id, type, name) select ${idExpr(CH)}, ${idExpr(SRV)}, 'text', 'general' from generate_series(0, ${rooms - 1}) g`,
    );
    await exec(
      `insert into server_members (server_id, user_id) select ${idExpr(SRV, `g / ${roomSize}`)}, ${idExpr(U)} from generate_series(0, ${n}) g`,
    );
    await exec('analyze');
    return {
      tokens: Array.from({ length: users }, (_, g) => `bt${secret}x${g}`),
      rooms: Array.from({ length: users }, (_, g) => Math.floor(g / roomSize)),
      channelIds: Array.from({ length: rooms }, (_, r) => idAt(CH, r).toString()),
    };
  },
  /** A new text channel in room 0 holding `count` messages by user 0; answers its id. */
  async seedHistory({ count }: { count: number }) {
    const channelId = idAt(HIST_CH, 0).toString();
    await exec(
      `insert into channels (id, server_id, type, name) values (${channelId}, ${idAt(SRV, 0)}, 'text', 'history')`,
    );
    const t0 = performance.now();
    await exec(
      `insert into messages (id, channel_id, author_id, content, created_at) select ${idExpr(MSG)}, ${channelId}, ${idAt(U, 0)}, 'history message number ' || g || ' with a little text to make it a typical chat line', now() - interval '1 second' * (${count} - g) from generate_series(0, ${count - 1}) g`,
    );
    await exec('analyze messages');
    return { channelId, seedMs: performance.now() - t0, firstId: idAt(MSG, 0).toString() };
  },
  /**
   * The history query alone, in this process (the repository function the service calls: Drizzle,
   * the driver, the round trip; no HTTP, no auth): ms per 50-message page, the newest and before
   * random messages, `samples` of each.
   */
  async historySql({ channelId, firstId, count, samples }: HistorySqlArgs) {
    const channel = BigInt(channelId);
    const time = async (before?: bigint) => {
      const t0 = performance.now();
      const rows = await historyPage(app.storage.db, channel, { limit: 50, ...(before ? { before } : {}) });
      if (rows.length !== 50) throw new Error(`history page of ${rows.length}`);
      return performance.now() - t0;
    };
    for (let i = 0; i < 30; i++) await time();
    const newest: number[] = [];
    const deep: number[] = [];
    for (let i = 0; i < samples; i++) newest.push(await time());
    for (let i = 0; i < samples; i++) {
      const g = 100 + Math.floor(Math.random() * (count - 100));
      deep.push(await time(BigInt(firstId) + (BigInt(g) << 22n)));
    }
    return { newest, deep };
  },
  /** The history baseline (bare-history.ts) in this process, on the same database; answers its URL. */
  async bareHistory() {
    if (!url) throw new Error('the history baseline needs PostgreSQL (DECENTRA_BENCH_DB)');
    const bare = await startBareHistory(url);
    closers.push(bare.close);
    return { url: bare.url };
  },
  /** Group commits so far and the messages they wrote, from this server's own /metrics. */
  async groupCommits() {
    const res = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    const text = await res.text();
    const value = (name: string) =>
      Number(/^(\S+) (\S+)$/m.exec(text.split('\n').find((l) => l.startsWith(`${name} `)) ?? '')?.[2]);
    return {
      commits: value('decentra_group_commit_messages_count'),
      messages: value('decentra_group_commit_messages_sum'),
    };
  },
  stats() {
    const out = {
      eldMaxMs: eld.max / 1e6,
      eldP99Ms: eld.percentile(99) / 1e6,
      heapMB: process.memoryUsage().heapUsed / 2 ** 20,
      sockets: app.gateway.connectionCount,
    };
    eld.reset();
    return out;
  },
  /** CPU profile of the load only (BENCH_PROFILE_DIR): started before the steps, written at shutdown. */
  async profileStart() {
    if (!profileDir) return {};
    profiler = new Session();
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.start');
    return {};
  },
  gc() {
    (globalThis as { gc?: () => void }).gc?.();
    return {};
  },
  async shutdown() {
    if (profiler && profileDir) {
      const { profile } = await profiler.post('Profiler.stop');
      writeFileSync(
        join(profileDir, `load-${app.storage.engine}-${process.pid}.cpuprofile`),
        JSON.stringify(profile),
      );
    }
    setTimeout(async () => {
      for (const close of closers) await close().catch(() => {});
      await app.close().catch(() => {});
      rmSync(dataDir, { recursive: true, force: true });
      process.exit(0);
    }, 10);
    return {};
  },
});

ready({ url: base, engine: app.storage.engine });
