/**
 * Cold start: time from spawning the server (the same entry point as `npm start`) to the first
 * 200 from /healthz, on a fresh embedded data folder, on a reused one, and on PostgreSQL
 * (BENCH_DATABASE_URL, default the local server's `test` database). Baseline: a bare
 * `node -e` HTTP server spawned the same way, so the figures read as ratios on this machine.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

const SERVER_DIR = new URL('../apps/server/', import.meta.url).pathname;
const PORT = 18765;

async function timeToHealthy(cmd: string[], env: Record<string, string>, cwd: string): Promise<number> {
  const t0 = performance.now();
  const child = spawn(process.execPath, cmd, { cwd, env: { ...process.env, ...env }, stdio: 'ignore' });
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
      const ok = await fetch(`http://127.0.0.1:${PORT}/healthz`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) return performance.now() - t0;
      await new Promise((r) => setTimeout(r, 25));
    }
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

const env = { PORT: String(PORT), HOST: '127.0.0.1', DECENTRA_TLS: 'off', LOG_LEVEL: 'warn' };
const server = ['--import', 'tsx', 'src/main.ts'];
const bare = ['-e', `require('http').createServer((q,s)=>s.end('ok')).listen(${PORT},'127.0.0.1')`];

const baseline = await timeToHealthy(bare, {}, SERVER_DIR);
const dataDir = mkdtempSync(join(tmpdir(), 'cold-'));
const fresh = await timeToHealthy(server, { ...env, DECENTRA_DATA_DIR: dataDir }, SERVER_DIR);
const warm = await timeToHealthy(server, { ...env, DECENTRA_DATA_DIR: dataDir }, SERVER_DIR);
rmSync(dataDir, { recursive: true, force: true });

let postgres: number | undefined;
const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
const admin = new pg.Client({ connectionString: adminUrl });
try {
  await admin.connect();
  const name = `decentra_bench_${Date.now()}`;
  await admin.query(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const pgDir = mkdtempSync(join(tmpdir(), 'cold-pg-'));
  postgres = await timeToHealthy(
    server,
    { ...env, DATABASE_URL: url.toString(), DECENTRA_DATA_DIR: pgDir },
    SERVER_DIR,
  );
  await admin.query(`drop database ${name} with (force)`);
  rmSync(pgDir, { recursive: true, force: true });
} catch (err) {
  console.log(`postgres: skipped (${(err as Error).message})`);
} finally {
  await admin.end().catch(() => {});
}

const fmt = (ms: number) => `${Math.round(ms)} ms (${(ms / baseline).toFixed(1)}× bare node)`;
console.log(
  `machine: ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}`,
);
console.log(`bare node http server: ${Math.round(baseline)} ms`);
console.log(`PGlite, fresh data folder: ${fmt(fresh)}`);
console.log(`PGlite, existing data folder: ${fmt(warm)}`);
if (postgres !== undefined) console.log(`PostgreSQL, fresh database: ${fmt(postgres)}`);
