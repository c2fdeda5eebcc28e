/**
 * `npm run bench:revocation`: how long a token revoked on one instance stays usable on another
 * that has it in its session cache (the goal: refused on every instance within 100 ms). Two Decentra instances in this process share a fresh
 * PostgreSQL database (on BENCH_DATABASE_URL's server) and Redis (BENCH_REDIS_URL); each round
 * logs a session in, uses it on B (cached there), logs it out on A, and polls B (`GET
 * /api/users/@me`, back to back) until it answers 401: the delay is from A's logout answer to
 * B's first refusal. Baseline in the same run: a bare Redis PUBLISH → message round trip on
 * fresh connections (the hop the revocation rides). BENCH_ROUNDS (default 200).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { createApp, type DecentraApp } from '../apps/server/src/app.js';
import { loadConfig } from '../apps/server/src/config.js';
import { createLogger } from '../apps/server/src/infra/logger.js';
import { quantileOf } from './lib/histogram.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 200);
const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
const name = `decentra_bench_revoke_${Date.now()}`;
await admin.query(`create database ${name}`);
const url = new URL(adminUrl);
url.pathname = `/${name}`;
const dirs: string[] = [];
// The login limits are per account name in the shared Redis: a name of this run's own.
const USERNAME = `revoker${Date.now() % 1_000_000}`;

async function instance(workerId: number): Promise<{ app: DecentraApp; base: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-revoke-'));
  dirs.push(dir);
  const config = loadConfig({
    NODE_ENV: 'production',
    PORT: '0',
    HOST: '127.0.0.1',
    DECENTRA_DATA_DIR: dir,
    DATABASE_URL: url.toString(),
    REDIS_URL: redisUrl,
    DECENTRA_TLS: 'off',
    DECENTRA_ENCRYPTION_KEY: '07'.repeat(32),
    DECENTRA_WORKER_ID: String(workerId),
    // The limits live in the shared Redis: other runs from 127.0.0.1 must not refuse this one.
    DECENTRA_SIGNUPS_PER_HOUR: '100000',
    LOG_LEVEL: 'warn',
  });
  const app = await createApp({
    config,
    logger: createLogger('warn'),
    throttle: {
      perAccountAddress: 1_000_000,
      perAddress: 1_000_000,
      signupFailuresPerAddress: 1_000_000,
      windowSeconds: 1,
    },
  });
  return { app, base: await app.listen() };
}

const call = async (base: string, method: string, path: string, token?: string, body?: unknown) => {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      'x-requested-with': 'decentra',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
};

const q = (values: number[], p: number) =>
  quantileOf(
    [...values].sort((x, y) => x - y),
    p,
  ).toFixed(2);

const a = await instance(1);
const b = await instance(2);
try {
  const signup = await call(a.base, 'POST', '/api/auth/signup', undefined, {
    username: USERNAME,
    password: 'correct horse battery',
  });
  if (signup.status !== 201 && signup.status !== 200) throw new Error(`signup: ${signup.status}`);
  const delays: number[] = [];
  const polls: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const login = await call(a.base, 'POST', '/api/auth/login', undefined, {
      username: USERNAME,
      password: 'correct horse battery',
    });
    const token = String(login.body.token);
    if ((await call(b.base, 'GET', '/api/users/@me', token)).status !== 200) throw new Error('not live on B');
    if ((await call(a.base, 'POST', '/api/auth/logout', token)).status !== 204) throw new Error('logout');
    const t0 = performance.now();
    let n = 0;
    while ((await call(b.base, 'GET', '/api/users/@me', token)).status === 200) n++;
    delays.push(performance.now() - t0);
    polls.push(n);
  }
  // The hop alone: PUBLISH on one connection, the message on a subscribed other.
  const pub = new Redis(redisUrl);
  const sub = new Redis(redisUrl);
  await sub.subscribe('bench:revocation');
  const hops: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const heard = new Promise<void>((resolve) => sub.once('message', () => resolve()));
    const t0 = performance.now();
    await pub.publish('bench:revocation', 'x');
    await heard;
    hops.push(performance.now() - t0);
  }
  pub.disconnect();
  sub.disconnect();
  console.log(
    `# revocation across instances ${new Date().toISOString()}\n` +
      `machine: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}\n` +
      `${ROUNDS} rounds: B accepted the token after A had answered the logout ${polls.filter((n) => n > 0).length} times (at most ${Math.max(...polls)} polls in a row); logout answered → B's first 401, an upper bound on the window (it includes that poll's own round trip): p50 ${q(delays, 0.5)} ms p99 ${q(delays, 0.99)} ms max ${Math.max(...delays).toFixed(2)} ms\n` +
      `baseline, a bare Redis publish → message: p50 ${q(hops, 0.5)} ms p99 ${q(hops, 0.99)} ms\n` +
      `revocation: p99_ms=${q(delays, 0.99)} ratio_p99_vs_redis_hop=${(Number(q(delays, 0.99)) / Number(q(hops, 0.99))).toFixed(2)}`,
  );
} finally {
  await b.app.close();
  await a.app.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.end();
}
process.exit(0);
