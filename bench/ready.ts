/**
 * `npm run bench:ready`: what read states add to `ready`, and what one ack costs. A user in 50
 * servers × 20 text channels (+ a voice channel each) and 20 DMs, over a message table of ~200k
 * rows with @name and @everyone mentions, unread in 40 % of the channels; on the embedded engine
 * (a fresh data folder) and on PostgreSQL (a scratch database made on BENCH_DATABASE_URL, default
 * the local server's `test` database; BENCH_ENGINES=pglite skips it). Two apps on the same
 * storage: Decentra as built, and the same without the read-state part of `ready` (the baseline);
 * identify → ready on each, rounds interleaved, so a busy machine weighs on both alike. Then the
 * read-state queries alone (in process), and acks over the gateway against a ping's round trip.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import WebSocket from 'ws';
import { createApp, type DecentraApp } from '../apps/server/src/app.js';
import { loadConfig } from '../apps/server/src/config.js';
import { AccessService } from '../apps/server/src/features/access/access.service.js';
import { ReadStatesService } from '../apps/server/src/features/read-states/read-states.service.js';
import { createLogger } from '../apps/server/src/infra/logger.js';
import type { Storage } from '../apps/server/src/storage/db.js';
import { migrate } from '../apps/server/src/storage/migrate.js';
import { openBenchStorage } from './lib/bench-storage.js';

const ENGINES = (process.env.BENCH_ENGINES ?? 'pglite,postgres').split(',');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 40);
const ACKS = Number(process.env.BENCH_ACKS ?? 200);

const SERVERS = 50;
const CHANNELS = 20;
const PER_CHANNEL = 200;
const DMS = 20;
const PER_DM = 100;
const OTHERS = 200;
/** The bench user (ids below every real snowflake; the others are 10 … 10 + OTHERS). */
const ME = 5;
/**
 * Which of every 20 messages of a server channel is the bench user's: 10 (the newest message of a
 * channel is someone else's, as it mostly is); BENCH_OWN_HEADS=1 makes it 0, so that the user wrote
 * the newest message of every server channel (the worst case for `channel_heads`: one probe each).
 */
const OWN = process.env.BENCH_OWN_HEADS ? 0 : 10;
const TOKEN = `bench-ready-${Math.random().toString(36).slice(2)}`;

const channelId = (i: number) => 2_000_000 + Math.floor(i / CHANNELS) * 100 + (i % CHANNELS);
/** Message k (1-based) of channel slot i: ids in time order across all channels. */
const messageId = (k: number, i: number) => (BigInt(k * 2000 + i) << 22n).toString();

/**
 * How many channels mention the bench user: `heavy`, every 20th message names them in every
 * channel and every other channel has an @everyone in 50 (each unread channel has mentions to
 * count: the worst case for the mention gates); `typical`, the same in one channel in 10 (and
 * @everyone in one in 20), the rest never mention them.
 */
interface Mentions {
  name: string;
  namedEvery: number;
  everyoneEvery: number;
}
const SCENARIOS: Mentions[] = [
  { name: 'heavy', namedEvery: 1, everyoneEvery: 2 },
  { name: 'typical', namedEvery: 10, everyoneEvery: 20 },
].filter((m) => (process.env.BENCH_MENTIONS ?? 'heavy,typical').split(',').includes(m.name));

/**
 * The install, by SQL. Channel slot i (0 … 999 text channels, 1000 … 1019 DMs) holds messages k
 * = 1 … n; every 20th (offset OWN) is the bench user's own, every 20th (offset 7) names them, every 10th (offset
 * 3) names someone else, every 50th in every other channel is an @everyone (fewer channels: `Mentions`). The user has read
 * 3 channels in 5 to the end, 1 in 5 to the middle, and never opened the fifth; half of the DMs
 * are read.
 */
const seed = (mentions: Mentions) => [
  `insert into users (id, username, password_hash) values (${ME}, 'me', 'x')`,
  `insert into users (id, username, password_hash) select g, 'user' || g, 'x' from generate_series(10, ${9 + OTHERS}) g`,
  `insert into sessions (id, user_id, token_hash, expires_at)
   values (1, ${ME}, sha256(convert_to('${TOKEN}', 'UTF8')), now() + interval '30 days')`,
  `insert into servers (id, name, owner_id) select 1000000 + s, 'server ' || s, 10 + s from generate_series(0, ${SERVERS - 1}) s`,
  `insert into server_members (server_id, user_id) select 1000000 + s, ${ME} from generate_series(0, ${SERVERS - 1}) s`,
  `insert into server_members (server_id, user_id)
   select 1000000 + s, 10 + (s + k * 9) % ${OTHERS} from generate_series(0, ${SERVERS - 1}) s, generate_series(0, 19) k
   on conflict do nothing`,
  `insert into server_members (server_id, user_id) select 1000000 + s, 10 + s from generate_series(0, ${SERVERS - 1}) s
   on conflict do nothing`,
  `insert into channels (id, server_id, type, name)
   select 2000000 + s * 100 + c, 1000000 + s, case when c = ${CHANNELS} then 'voice' else 'text' end, 'ch' || c
   from generate_series(0, ${SERVERS - 1}) s, generate_series(0, ${CHANNELS}) c`,
  `insert into channels (id, server_id, type, name) select 3000000 + d, null, 'dm', 'dm' from generate_series(0, ${DMS - 1}) d`,
  `insert into dm_channels (channel_id, user_low, user_high) select 3000000 + d, ${ME}, 10 + d from generate_series(0, ${DMS - 1}) d`,
  `insert into friendships (user_low, user_high) select ${ME}, 10 + d from generate_series(0, ${DMS - 1}) d`,
  `insert into messages (id, channel_id, author_id, content, mentions, mention_everyone, created_at)
   select ((k * 2000 + i)::bigint << 22), 2000000 + (i / ${CHANNELS}) * 100 + i % ${CHANNELS},
     case when k % 20 = ${OWN} then ${ME} else 10 + (i + k) % ${OTHERS} end,
     'message ' || k || ' in channel ' || i || ' with a little text to make it a typical chat line',
     case when k % 20 = 7 and i % ${mentions.namedEvery} = 0 then array[${ME}::bigint]
       when k % 10 = 3 then array[(10 + k % ${OTHERS})::bigint] else '{}' end,
     case when k % 50 = 25 and i % ${mentions.everyoneEvery} = 0 then 'everyone' end,
     now() - interval '1 second' * (${PER_CHANNEL} - k)
   from generate_series(0, ${SERVERS * CHANNELS - 1}) i, generate_series(1, ${PER_CHANNEL}) k`,
  `insert into messages (id, channel_id, author_id, content, created_at)
   select ((k * 2000 + 1000 + d)::bigint << 22), 3000000 + d, case when k % 3 = 0 then ${ME} else 10 + d end,
     'dm ' || k, now() - interval '1 second' * (${PER_DM} - k)
   from generate_series(0, ${DMS - 1}) d, generate_series(1, ${PER_DM}) k`,
  `insert into message_mentions (user_id, channel_id, message_id)
   select m.user_id, x.channel_id, x.id from messages x cross join lateral unnest(x.mentions) as m(user_id)
   where m.user_id <> x.author_id`,
  `insert into read_states (user_id, channel_id, last_read_id)
   select ${ME}, 2000000 + (i / ${CHANNELS}) * 100 + i % ${CHANNELS},
     ((case when i % 5 < 3 then ${PER_CHANNEL} else ${PER_CHANNEL / 2} end * 2000 + i)::bigint << 22)
   from generate_series(0, ${SERVERS * CHANNELS - 1}) i where i % 5 < 4`,
  `insert into read_states (user_id, channel_id, last_read_id)
   select ${ME}, 3000000 + d, ((${PER_DM} * 2000 + 1000 + d)::bigint << 22) from generate_series(0, ${DMS - 1}) d where d % 2 = 0`,
  // The heads the send path keeps, made as migrations 0010 and 0015 make them from existing messages.
  `insert into channel_heads (channel_id, last_message_id, author_id)
   select distinct on (channel_id) channel_id, id, author_id from messages order by channel_id, id desc`,
  `update channel_heads h set last_everyone_id = e.id
   from (select channel_id, max(id) as id from messages where mention_everyone is not null group by channel_id) e
   where e.channel_id = h.channel_id`,
  `insert into mention_heads (user_id, channel_id, last_mention_id)
   select user_id, channel_id, max(message_id) from message_mentions group by user_id, channel_id`,
  `insert into notification_overrides (user_id, target_id, mode, muted)
   select ${ME}, 1000000 + s, 'mentions', s % 5 = 0 from generate_series(0, ${SERVERS - 1}, 3) s`,
  'vacuum analyze',
];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const p90 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.9)] ?? Number.NaN;
const ms = (x: number) => x.toFixed(2);

/** A socket that keeps every frame; `next` waits for one that matches. */
class Socket {
  private readonly frames: Array<Record<string, unknown>> = [];
  private waiter: (() => void) | undefined;
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.frames.push(JSON.parse(String(data)) as Record<string, unknown>);
      this.waiter?.();
    });
  }

  static async open(url: string): Promise<Socket> {
    const ws = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new Socket(ws);
  }

  async next(match: (f: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
    for (;;) {
      const i = this.frames.findIndex(match);
      if (i >= 0) return this.frames.splice(i, 1)[0] as Record<string, unknown>;
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
      });
    }
  }

  send(frame: unknown): void {
    this.ws.send(JSON.stringify(frame));
  }
}

/** identify → ready on a socket already open: ms, and how many channels `ready` says are unread. */
async function readyOnce(wsUrl: string): Promise<{ ms: number; unread: number }> {
  const socket = await Socket.open(wsUrl);
  const t0 = performance.now();
  socket.send({ op: 'identify', d: { token: TOKEN } });
  const ready = await socket.next((f) => f.op === 'ready');
  const took = performance.now() - t0;
  socket.ws.close();
  const d = ready.d as { readStates: unknown[] };
  return { ms: took, unread: d.readStates.length };
}

async function startApp(
  storage: Storage,
  dir: string,
  baseline: boolean,
  workerId: number,
): Promise<DecentraApp> {
  const config = loadConfig({
    NODE_ENV: 'production',
    PORT: '0',
    HOST: '127.0.0.1',
    DECENTRA_DATA_DIR: dir,
    DECENTRA_TLS: 'off',
    DECENTRA_ENCRYPTION_KEY: '07'.repeat(32),
    DECENTRA_WORKER_ID: String(workerId),
    LOG_LEVEL: 'warn',
  });
  return createApp({
    config,
    storage,
    logger: createLogger('warn'),
    readyWithoutReadStates: baseline,
    gateway: { framesPerWindow: 1_000_000, frameWindowMs: 1_000 },
    sendLimits: { points: 1_000_000, windowSeconds: 1 },
  });
}

async function benchEngine(engine: string, mentions: Mentions): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-ready-'));
  const { storage, drop } = await openBenchStorage(engine, dir, { prefix: 'bench_ready', poolSize: 10 });
  try {
    await migrate(storage.db);
    const t0 = performance.now();
    for (const statement of seed(mentions)) await storage.db.execute(sql.raw(statement));
    const [counted] = (
      (await storage.db.execute(sql.raw('select count(*)::int as n from messages'))) as unknown as {
        rows: Array<{ n: number }>;
      }
    ).rows;
    console.log(
      `\n## ${engine}, ${mentions.name} mentions: seeded ${counted?.n} messages in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );

    const full = await startApp(storage, dir, false, 1);
    const base = await startApp(storage, dir, true, 2);
    const urls = {
      full: `${(await full.listen()).replace(/^http/, 'ws')}/ws`,
      base: `${(await base.listen()).replace(/^http/, 'ws')}/ws`,
    };
    const times = { full: [] as number[], base: [] as number[] };
    let unread = 0;
    for (let round = -5; round < ROUNDS; round++) {
      const order: Array<'full' | 'base'> = round % 2 === 0 ? ['full', 'base'] : ['base', 'full'];
      for (const target of order) {
        const r = await readyOnce(urls[target]);
        if (target === 'full') unread = r.unread;
        if (round >= 0) times[target].push(r.ms);
      }
    }
    const diff = median(times.full) - median(times.base);
    console.log(`ready lists ${unread} unread channels of ${SERVERS * CHANNELS + DMS}`);
    console.log('| ready (identify → ready) | median ms | p90 ms |');
    console.log('|---|---:|---:|');
    console.log(`| baseline (no read-state part) | ${ms(median(times.base))} | ${ms(p90(times.base))} |`);
    console.log(`| with read states | ${ms(median(times.full))} | ${ms(p90(times.full))} |`);
    console.log(
      `| difference | ${ms(diff)} (ratio ${(median(times.full) / median(times.base)).toFixed(2)}) | |`,
    );

    // The read-state part alone, as the contributor runs it (one statement, one row of JSON, the
    // unread states from the function whose plan the session keeps), against the function's own
    // statement run as a statement (planned at every call, as before migration 0019) returning a
    // row per channel, and the overrides as their own query (as before too).
    const service = new ReadStatesService({
      db: storage.db,
      access: new AccessService(),
      now: () => new Date(),
    });
    const [source] = (
      (await storage.db.execute(
        sql`select prosrc from pg_proc where proname = 'decentra_unread_states'`,
      )) as unknown as { rows: Array<{ prosrc: string }> }
    ).rows;
    const body = /RETURN \(([\s\S]*)\);\s*END/.exec(source?.prosrc ?? '')?.[1];
    if (!body) throw new Error('decentra_unread_states not found');
    // The statement itself, a row per channel: its last SELECT without the string_agg around it.
    const asRows = body
      .replace(/\bme\b/g, `${ME}::bigint`)
      .replace(
        /(--[^\n]*\n\s*)*SELECT coalesce\(string_agg[\s\S]*FROM counted c\s*$/,
        'SELECT * FROM counted c ORDER BY c.id',
      );
    if (asRows === body.replace(/\bme\b/g, `${ME}::bigint`))
      throw new Error("the function's last SELECT changed: update the bench");
    const parts = { ready: [] as number[], rows: [] as number[], overrides: [] as number[] };
    let rowsSeen = 0;
    for (let i = -5; i < ROUNDS; i++) {
      let t = performance.now();
      await service.readyPart(BigInt(ME));
      const part = performance.now() - t;
      t = performance.now();
      const rows = (await storage.db.execute(sql.raw(asRows))) as unknown as { rows: unknown[] };
      rowsSeen = rows.rows.length;
      const rowsTook = performance.now() - t;
      t = performance.now();
      await service.overrides(BigInt(ME));
      if (i >= 0) {
        parts.ready.push(part);
        parts.rows.push(rowsTook);
        parts.overrides.push(performance.now() - t);
      }
    }
    console.log(
      `queries alone, median: the ready part (unread states and overrides, one statement, one JSON row) ${ms(median(parts.ready))} ms; as before: the unread-state statement planned at each call, ${rowsSeen} rows, ${ms(median(parts.rows))} ms + the overrides query ${ms(median(parts.overrides))} ms`,
    );

    if (process.env.BENCH_EXPLAIN) {
      const plan = (await storage.db.execute(sql.raw(`explain (analyze, buffers) ${asRows}`))) as unknown as {
        rows: Array<Record<string, string>>;
      };
      console.log(plan.rows.map((r) => Object.values(r)[0]).join('\n'));
    }

    // Acks over the gateway, each moving the mark one message on (the never-opened channels),
    // against a ping's round trip on the same socket.
    const socket = await Socket.open(urls.full);
    socket.send({ op: 'identify', d: { token: TOKEN } });
    await socket.next((f) => f.op === 'ready');
    const acks: number[] = [];
    const pings: number[] = [];
    const sends: number[] = [];
    for (let n = 0; n < ACKS; n++) {
      const slot = 4 + 5 * (n % 200);
      const k = 1 + Math.floor(n / 200);
      const ref = `a${n}`;
      let t = performance.now();
      socket.send({
        op: 'ack',
        ref,
        d: { channelId: String(channelId(slot)), messageId: messageId(k, slot) },
      });
      const reply = await socket.next((f) => f.op === 'reply' && f.ref === ref);
      if (reply.ok !== true) throw new Error(`ack refused: ${JSON.stringify(reply)}`);
      acks.push(performance.now() - t);
      t = performance.now();
      socket.send({ op: 'ping' });
      await socket.next((f) => f.op === 'pong');
      pings.push(performance.now() - t);
      // A message's send is a commit as well (the group commit's): the reference for a write.
      t = performance.now();
      socket.send({
        op: 'send_message',
        ref: `s${n}`,
        d: { channelId: String(channelId(n % 1000)), content: 'bench', nonce: `n${n}-${TOKEN}` },
      });
      await socket.next((f) => f.op === 'reply' && f.ref === `s${n}`);
      sends.push(performance.now() - t);
    }
    socket.ws.close();
    console.log(
      `ack over the gateway (${ACKS}, each moving the mark): median ${ms(median(acks))} ms, p90 ${ms(p90(acks))} ms; ping round trip median ${ms(median(pings))} ms; send_message median ${ms(median(sends))} ms`,
    );
    await full.close();
    await base.close();
  } finally {
    await storage.close();
    await drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(
  `machine: ${cpus().length} cores (${cpus()[0]?.model.trim()}), ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}; ${ROUNDS} interleaved rounds`,
);
for (const engine of ENGINES) for (const mentions of SCENARIOS) await benchEngine(engine, mentions);
