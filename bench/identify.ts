/**
 * `npm run bench:identify` (issue 16): a reconnect storm. N users open sockets and identify as
 * fast as the server takes them (each client process keeps WINDOW identifies in flight, a new
 * socket as soon as one is ready), all at once; measured: the time until every socket has its
 * `ready`, and until every socket knows every friend and co-member online (from its `ready` or a
 * `presence_update` / `presence_batch`), with the presence frames and changes delivered and how
 * many changes were repeats.
 *
 * Layout (SQL, in the server process): servers of up to 1,000 members (user g in big server
 * ⌊g/1000⌋), each user also in one of the servers of 50 that cut across them, 3 text channels and a
 * voice channel per server, friends with the next two users, a DM with the next one.
 *
 * Baseline, in the same run and on the same client processes: a bare `ws` server that answers an
 * identify with a small ready at once (the cost of the sockets and frames alone).
 *
 * Engines: PGlite with 1,000 users, PostgreSQL with 10,000 (a scratch database on
 * BENCH_DATABASE_URL); `--quick`: 200 and 1,000. `--engines=pglite`, `--users=N`, `--profile`
 * (a CPU profile of the server during the storm; summarise with bench/profile-summary.ts);
 * BENCH_PRESENCE_PACE_MS sets the presence announcements' pace (the server's 250 ms otherwise).
 *
 * One file, several roles (BENCH_IDENTIFY_ROLE): the parent, `server`, `bare`, `clients`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { Session } from 'node:inspector/promises';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import WebSocket, { WebSocketServer } from 'ws';
import { scratchDatabaseOrSkip } from './lib/bench-storage.js';
import { Child, procStats, serve, sleep } from './lib/rpc.js';

const role = process.env.BENCH_IDENTIFY_ROLE ?? 'parent';
const BIG = 1_000;
const SMALL = 50;
/** Identifies in flight per client process. */
const WINDOW = 500;
const CLIENTS = 2;

interface Spec {
  token: string;
  /** Friends and co-members: who this socket must end up seeing online. */
  visible: number;
}
interface ClientResult {
  readyMs: number;
  convergedMs: number;
  presenceFrames: number;
  /** Presence changes in those frames (a `presence_batch` carries several). */
  presenceChanges: number;
  repeats: number;
  readyPresences: number;
  readyBytes: number;
  incomplete: number;
}

const fmt = (n: number, d = 0) => (Number.isFinite(n) ? n.toFixed(d) : '–');

// ---------------------------------------------------------------------------------------------
// server: Decentra on a fresh data folder (PGlite) or the database in BENCH_DB

async function runServer(): Promise<void> {
  const { sql } = await import('drizzle-orm');
  const { createApp } = await import('../apps/server/src/app.js');
  const { DEFAULT_PRESENCE } = await import('../apps/server/src/features/presence/presence.service.js');
  const { loadConfig } = await import('../apps/server/src/config.js');
  const { createLogger } = await import('../apps/server/src/infra/logger.js');
  const { executeRows } = await import('../apps/server/src/storage/db.js');
  const dataDir = mkdtempSync(join(tmpdir(), 'decentra-ident-'));
  const config = loadConfig({
    NODE_ENV: 'production',
    PORT: '0',
    HOST: '127.0.0.1',
    DECENTRA_DATA_DIR: dataDir,
    DATABASE_URL: process.env.BENCH_DB || undefined,
    DECENTRA_TLS: 'off',
    DECENTRA_ENCRYPTION_KEY: '07'.repeat(32),
    DECENTRA_PGLITE_THREAD: process.env.DECENTRA_PGLITE_THREAD,
    LOG_LEVEL: 'warn',
  });
  const HUGE = 1_000_000_000;
  const app = await createApp({
    config,
    logger: createLogger('warn'),
    sendLimits: { points: HUGE, windowSeconds: 1 },
    gateway: { framesPerWindow: HUGE, frameWindowMs: 1_000 },
    // BENCH_PRESENCE_PACE_MS: the announcements' pace under test (default: the server's own).
    ...(process.env.BENCH_PRESENCE_PACE_MS
      ? { presence: { ...DEFAULT_PRESENCE, paceMs: Number(process.env.BENCH_PRESENCE_PACE_MS) } }
      : {}),
  });
  const base = await app.listen();
  const exec = (text: string) => app.storage.db.execute(sql.raw(text));
  const secret = Math.random().toString(36).slice(2);
  const profileDir = process.env.BENCH_PROFILE_DIR || undefined;
  let profiler: Session | undefined;
  let queries = 0;
  app.storage.observeQueries(() => queries++);
  const { ready } = serve({
    async setup({ users }: { users: number }) {
      const n = users - 1;
      const bigs = Math.ceil(users / BIG);
      const smalls = Math.ceil(users / SMALL);
      // Ids: users 10^6 + g, big servers 2·10^6 + b, small 3·10^6 + s, channels 4·10^6 + …
      const stmts = [
        `insert into users (id, username, password_hash) select 1000000 + g, 'user' || g, 'x' from generate_series(0, ${n}) g`,
        `insert into sessions (id, user_id, token_hash, expires_at) select 5000000 + g, 1000000 + g,
           sha256(convert_to('${secret}' || g, 'UTF8')), now() + interval '30 days' from generate_series(0, ${n}) g`,
        `insert into servers (id, name, owner_id) select 2000000 + b, 'big ' || b, 1000000 + b * ${BIG} from generate_series(0, ${bigs - 1}) b`,
        `insert into servers (id, name, owner_id) select 3000000 + s, 'small ' || s, 1000000 + s from generate_series(0, ${smalls - 1}) s`,
        `insert into server_members (server_id, user_id) select 2000000 + g / ${BIG}, 1000000 + g from generate_series(0, ${n}) g`,
        `insert into server_members (server_id, user_id) select 3000000 + g % ${smalls}, 1000000 + g from generate_series(0, ${n}) g`,
        `insert into channels (id, server_id, type, name)
           select 4000000 + s.id % 1000000 * 10 + c + case when s.id >= 3000000 then 5000000 else 0 end, s.id,
             case when c = 3 then 'voice' else 'text' end, 'ch' || c
           from servers s, generate_series(0, 3) c`,
        `insert into friendships (user_low, user_high)
           select 1000000 + g, 1000000 + g + k from generate_series(0, ${n}) g, generate_series(1, 2) k where g + k <= ${n}`,
        `insert into channels (id, server_id, type, name) select 20000000 + g, null, 'dm', 'dm' from generate_series(0, ${n - 1}) g`,
        `insert into dm_channels (channel_id, user_low, user_high) select 20000000 + g, 1000000 + g, 1000001 + g from generate_series(0, ${n - 1}) g`,
        'analyze',
      ];
      for (const s of stmts) await exec(s);
      const rows = await executeRows<{ visible: number }>(
        app.storage.db,
        sql.raw(`select u.id - 1000000 as g, (select count(*) from (
            select user_high from friendships where user_low = u.id
            union select user_low from friendships where user_high = u.id
            union select o.user_id from server_members m join server_members o on o.server_id = m.server_id
              where m.user_id = u.id and o.user_id <> u.id) v)::int as visible
          from users u order by u.id`),
      );
      return {
        specs: rows.map((r, g) => ({ token: `${secret}${g}`, visible: Number(r.visible) })),
      };
    },
    /** Database queries made so far. */
    queries() {
      return { queries };
    },
    /** CPU profile of the storm alone (BENCH_PROFILE_DIR), from here to `profileStop`. */
    async profileStart() {
      if (!profileDir) return {};
      profiler = new Session();
      profiler.connect();
      await profiler.post('Profiler.enable');
      await profiler.post('Profiler.start');
      return {};
    },
    async profileStop() {
      if (!profiler || !profileDir) return {};
      const { profile } = await profiler.post('Profiler.stop');
      writeFileSync(
        join(profileDir, `identify-${app.storage.engine}-${process.pid}.cpuprofile`),
        JSON.stringify(profile),
      );
      profiler.disconnect();
      profiler = undefined;
      return {};
    },
    async shutdown() {
      setTimeout(async () => {
        await app.close().catch(() => {});
        rmSync(dataDir, { recursive: true, force: true });
        process.exit(0);
      }, 10);
      return {};
    },
  });
  ready({ url: base, engine: app.storage.engine });
}

// ---------------------------------------------------------------------------------------------
// bare: a ws server that answers identify with a small ready at once

async function runBare(): Promise<void> {
  const http = createServer((_req, res) => res.end('bare'));
  const wss = new WebSocketServer({ server: http, path: '/ws', perMessageDeflate: false });
  let sessions = 0;
  wss.on('connection', (ws) => {
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as { op?: string };
      if (frame.op !== 'identify') return;
      ws.send(JSON.stringify({ op: 'ready', d: { sessionId: String(++sessions), presences: [] } }));
    });
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const { ready } = serve({
    shutdown() {
      setTimeout(() => process.exit(0), 10);
      return {};
    },
  });
  ready({ url: `http://127.0.0.1:${(http.address() as AddressInfo).port}` });
}

// ---------------------------------------------------------------------------------------------
// clients: open sockets, identify, count presences

async function runClients(): Promise<void> {
  let sockets: WebSocket[] = [];
  const closeAll = () => {
    for (const ws of sockets) ws.terminate();
    sockets = [];
  };
  const { ready } = serve({
    async storm({ url, specs, quietMs }: { url: string; specs: Spec[]; quietMs: number }) {
      closeAll();
      const wsUrl = `${url.replace(/^http/, 'ws')}/ws`;
      const t0 = performance.now();
      let readyAt = 0;
      let lastFrame = t0;
      let presenceFrames = 0;
      let presenceChanges = 0;
      let repeats = 0;
      let readyPresences = 0;
      let readyBytes = 0;
      let complete = 0;
      let convergedAt = 0;
      const queue = specs.map((spec, i) => ({ spec, i }));
      const want = specs.filter((s) => s.visible === 0).length;
      complete = want;
      let readies = 0;
      const seen = specs.map(() => new Set<string>());
      const see = (i: number, userId: string) => {
        const set = seen[i] as Set<string>;
        if (set.has(userId)) return false;
        set.add(userId);
        if (set.size === (specs[i] as Spec).visible) {
          complete++;
          if (complete === specs.length) convergedAt = performance.now();
        }
        return true;
      };
      await new Promise<void>((resolveAll, rejectAll) => {
        const next = () => {
          const item = queue.shift();
          if (!item) return;
          const ws = new WebSocket(wsUrl, { perMessageDeflate: false });
          sockets.push(ws);
          let isReady = false;
          let openedAt = 0;
          const failed = (why: string) => {
            const at = (performance.now() - t0).toFixed(0);
            const phase = openedAt
              ? `open for ${(performance.now() - openedAt).toFixed(0)} ms`
              : 'before its upgrade';
            rejectAll(
              new Error(`socket ${item.i} failed ${phase}, at ${at} ms, ${readies} readys so far: ${why}`),
            );
          };
          ws.on('error', (err) => failed(err.message));
          ws.on('close', (code) => {
            if (!isReady) failed(`closed ${code} before its ready`);
          });
          ws.on('open', () => {
            openedAt = performance.now();
            ws.send(JSON.stringify({ op: 'identify', d: { token: item.spec.token } }));
          });
          ws.on('message', (data) => {
            lastFrame = performance.now();
            const s = data.toString();
            if (!isReady) {
              if (!s.startsWith('{"op":"ready"')) return;
              isReady = true;
              readyBytes += s.length;
              const d = (JSON.parse(s) as { d: { presences?: Array<{ userId: string; status: string }> } }).d;
              for (const p of d.presences ?? []) {
                readyPresences++;
                if (p.status === 'online') see(item.i, p.userId);
              }
              if (++readies === specs.length) {
                readyAt = performance.now();
                resolveAll();
              }
              next();
              return;
            }
            if (!s.includes('"t":"presence_')) return;
            presenceFrames++;
            const { t, d } = JSON.parse(s) as {
              t: string;
              d: { userId?: string; status?: string; online?: string[]; offline?: string[] };
            };
            const changes =
              t === 'presence_batch'
                ? [
                    ...(d.online ?? []).map((id) => [id, 'online']),
                    ...(d.offline ?? []).map((id) => [id, 'offline']),
                  ]
                : [[d.userId ?? '', d.status ?? '']];
            for (const [userId, status] of changes) {
              presenceChanges++;
              if (status === 'online' && !see(item.i, userId as string)) repeats++;
            }
          });
        };
        for (let k = 0; k < WINDOW; k++) next();
        if (specs.length === 0) resolveAll();
      });
      // Presences still on their way: wait until every socket sees everyone, or nothing came for quietMs.
      while (complete < specs.length && performance.now() - lastFrame < quietMs) await sleep(20);
      return {
        readyMs: readyAt - t0,
        convergedMs: (convergedAt || performance.now()) - t0,
        presenceFrames,
        presenceChanges,
        repeats,
        readyPresences,
        readyBytes,
        incomplete: specs.length - complete,
      } satisfies ClientResult;
    },
    close() {
      closeAll();
      return {};
    },
    shutdown() {
      closeAll();
      setTimeout(() => process.exit(0), 10);
      return {};
    },
  });
  ready({ pid: process.pid });
}

// ---------------------------------------------------------------------------------------------
// parent

/** The specs split over the client processes, interleaved so each has a share of every server. */
async function storm(clients: Child[], url: string, specs: Spec[], quietMs: number) {
  const shares = clients.map((_, c) => specs.filter((_s, i) => i % clients.length === c));
  const results = await Promise.all(
    clients.map((child, c) => child.call<ClientResult>('storm', { url, specs: shares[c], quietMs }, 600_000)),
  );
  await Promise.all(clients.map((child) => child.call('close')));
  const sum = (k: keyof ClientResult) => results.reduce((a, r) => a + r[k], 0);
  const max = (k: keyof ClientResult) => Math.max(...results.map((r) => r[k]));
  return {
    readyMs: max('readyMs'),
    convergedMs: max('convergedMs'),
    presenceFrames: sum('presenceFrames'),
    presenceChanges: sum('presenceChanges'),
    repeats: sum('repeats'),
    readyPresences: sum('readyPresences'),
    readyBytes: sum('readyBytes'),
    incomplete: sum('incomplete'),
  };
}

async function runParent(): Promise<void> {
  const argv = process.argv.slice(2);
  const opt = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const quick = argv.includes('--quick');
  const profileDir = argv.includes('--profile')
    ? mkdtempSync(join(tmpdir(), 'decentra-ident-prof-'))
    : undefined;
  const engines = (opt('engines') ?? 'pglite,postgres').split(',');
  const usersFor = (engine: string) =>
    Number(opt('users') ?? (engine === 'pglite' ? (quick ? 200 : 1_000) : quick ? 1_000 : 10_000));
  console.log(
    `identify bench: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}, ${CLIENTS} client processes, ${WINDOW} identifies in flight each`,
  );
  const clients: Child[] = [];
  for (let c = 0; c < CLIENTS; c++) {
    clients.push(
      (await Child.start(`clients-${c}`, 'bench/identify.ts', { env: { BENCH_IDENTIFY_ROLE: 'clients' } }))
        .child,
    );
  }
  const bare = await Child.start('bare', 'bench/identify.ts', { env: { BENCH_IDENTIFY_ROLE: 'bare' } });
  const lines: string[] = [];
  try {
    for (const engine of engines) {
      const users = usersFor(engine);
      const db =
        engine === 'postgres' ? await scratchDatabaseOrSkip('decentra_ident', console.log) : undefined;
      if (engine === 'postgres' && !db) continue;
      const { child: server, info } = await Child.start(`server-${engine}`, 'bench/identify.ts', {
        env: { BENCH_IDENTIFY_ROLE: 'server', BENCH_DB: db?.url ?? '', BENCH_PROFILE_DIR: profileDir ?? '' },
      });
      try {
        const t0 = performance.now();
        const { specs } = await server.call<{ specs: Spec[] }>('setup', { users }, 600_000);
        const pairs = specs.reduce((a, s) => a + s.visible, 0);
        console.log(
          `${engine}: ${users} users set up in ${fmt((performance.now() - t0) / 1000, 1)} s; ${pairs} (observer, user) pairs to see`,
        );
        const baseline = await storm(
          clients,
          String(bare.info.url),
          specs.map((s) => ({ ...s, visible: 0 })),
          200,
        );
        const cpu0 = procStats(server.pid).cpuS;
        await server.call('profileStart');
        const q0 = (await server.call<{ queries: number }>('queries')).queries;
        const r = await storm(clients, String(info.url), specs, 10_000);
        const queries = (await server.call<{ queries: number }>('queries')).queries - q0;
        await server.call('profileStop');
        const cpu = procStats(server.pid).cpuS - cpu0;
        const line =
          `${engine}: ${users} identifies: all ready in ${fmt(r.readyMs)} ms, everyone seen online in ${fmt(r.convergedMs)} ms` +
          ` (bare ws: ${fmt(baseline.readyMs)} ms, ratio ${fmt(r.readyMs / baseline.readyMs, 1)}×);` +
          ` presence frames ${r.presenceFrames} carrying ${r.presenceChanges} changes (repeats ${r.repeats}), presences in readys ${r.readyPresences},` +
          ` ready bytes ${fmt(r.readyBytes / 2 ** 20, 1)} MB, ${fmt(queries / users, 1)} queries per identify, incomplete ${r.incomplete}, server CPU ${fmt(cpu, 1)} s,` +
          ` RSS ${fmt(procStats(server.pid).rssMB)} MB`;
        console.log(line);
        lines.push(line);
      } finally {
        await server.stop(60_000);
        await db?.drop().catch((err: Error) => console.log(`drop failed: ${err.message}`));
      }
    }
  } finally {
    await Promise.all([...clients, bare.child].map((c) => c.stop()));
  }
  console.log(
    `load after: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  if (profileDir) console.log(`profiles: ${profileDir}`);
  for (const l of lines) console.log(l);
}

if (role === 'server') await runServer();
else if (role === 'bare') await runBare();
else if (role === 'clients') await runClients();
else await runParent();
