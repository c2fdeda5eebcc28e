/**
 * Cold start of the compiled server, started with exactly the command `npm start` runs (the root
 * package.json's "start"; the bundle is rebuilt first if out of date) but spawned directly: time from
 * spawn to the first 200 from /healthz on a fresh embedded data folder, on a reused one, and on
 * PostgreSQL (BENCH_DATABASE_URL, default the local server's `test` database); and the resident
 * memory of the server's whole process tree (the process and its descendants, summed from /proc)
 * SETTLE_MS after it first answered, and its peak while starting. Baseline: a bare `node -e` HTTP
 * server spawned the same way, so the figures read as ratios on this machine. Last, `npm start`
 * itself on the reused folder, to show what npm and its shell add. Every figure is the median of
 * BENCH_RUNS starts (default 3), with the range.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

const ROOT = new URL('..', import.meta.url).pathname;
const PORT = 18765;
const SETTLE_MS = 1000;

/** package.json's start script as argv and environment: `[NAME=value …] node [args…]`, nothing else. */
function startCommand(): { script: string; args: string[]; env: Record<string, string> } {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } };
  const script = pkg.scripts.start;
  const words = script.trim().split(/\s+/);
  const env: Record<string, string> = {};
  while (words[0] && /^[A-Z_][A-Z0-9_]*=\S*$/.test(words[0])) {
    const [name = '', value = ''] = (words.shift() as string).split('=');
    env[name] = value;
  }
  if (words.shift() !== 'node' || words.some((w) => /[|&;<>()$`"'\\*?]/.test(w))) {
    throw new Error(`cannot spawn the start script directly: ${script}`);
  }
  return { script, args: words, env };
}

interface Proc {
  pid: number;
  name: string;
  rssMb: number;
}

/**
 * The process and its descendants, with their RSS, from /proc (Linux): each process's children are
 * listed in /proc/<pid>/task/<tid>/children, so this reads a few files rather than all of /proc.
 */
function processTree(root: number): Proc[] {
  const tree: Proc[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift() as number;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      tree.push({ pid, name, rssMb: rss ? Number(rss[1]) / 1024 : 0 });
      for (const tid of readdirSync(`/proc/${pid}/task`)) {
        const children = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim();
        if (children) queue.push(...children.split(' ').map(Number));
      }
    } catch {
      // The process ended while we looked.
    }
  }
  return tree;
}

const sum = (tree: Proc[]) => tree.reduce((total, p) => total + p.rssMb, 0);

interface Start {
  ms: number;
  /** The tree SETTLE_MS after the first 200. */
  tree: Proc[];
  peakMb: number;
}

async function timeToHealthy(
  command: string,
  args: string[],
  env: Record<string, string>,
  stop: (child: ChildProcess, tree: Proc[]) => void = (child) => child.kill('SIGTERM'),
): Promise<Start> {
  const t0 = performance.now();
  const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: 'ignore' });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  let peakMb = 0;
  let tree: Proc[] = [];
  try {
    for (;;) {
      if (child.exitCode !== null)
        throw new Error(`${command} ${args.join(' ')} exited with ${child.exitCode}`);
      if (child.pid) peakMb = Math.max(peakMb, sum(processTree(child.pid)));
      const ok = await fetch(`http://127.0.0.1:${PORT}/healthz`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    const ms = performance.now() - t0;
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    tree = child.pid ? processTree(child.pid) : [];
    return { ms, tree, peakMb: Math.max(peakMb, sum(tree)) };
  } finally {
    stop(child, tree);
    await exited;
  }
}

const build = spawnSync(process.execPath, ['scripts/build.mjs', 'server'], { cwd: ROOT, stdio: 'inherit' });
if (build.status !== 0) throw new Error('the server did not build');

/** Each figure is the median of this many starts (the machine is shared, single runs are noisy). */
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 3));

interface Figure {
  ms: number;
  msRange: [number, number];
  /** Of the run with the median time. */
  tree: Proc[];
  treeMaxMb: number;
  peakMb: number;
}

async function figure(run: () => Promise<Start>): Promise<Figure> {
  const runs: Start[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await run());
  const byTime = [...runs].sort((a, b) => a.ms - b.ms);
  const median = byTime[Math.floor(byTime.length / 2)] as Start;
  return {
    ms: median.ms,
    msRange: [(byTime[0] as Start).ms, (byTime.at(-1) as Start).ms],
    tree: median.tree,
    treeMaxMb: Math.max(...runs.map((r) => sum(r.tree))),
    peakMb: Math.max(...runs.map((r) => r.peakMb)),
  };
}

const start = startCommand();
const env = { PORT: String(PORT), HOST: '127.0.0.1', DECENTRA_TLS: 'off', LOG_LEVEL: 'warn', ...start.env };
const bare = ['-e', `require('http').createServer((q,s)=>s.end('ok')).listen(${PORT},'127.0.0.1')`];
const folders: string[] = [];
const newFolder = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  folders.push(dir);
  return dir;
};

const baseline = await figure(() => timeToHealthy(process.execPath, bare, {}));
let dataDir = '';
const fresh = await figure(() => {
  dataDir = newFolder('cold-');
  return timeToHealthy(process.execPath, start.args, { ...env, DECENTRA_DATA_DIR: dataDir });
});
const warm = await figure(() =>
  timeToHealthy(process.execPath, start.args, { ...env, DECENTRA_DATA_DIR: dataDir }),
);

// npm start as a user runs it. npm hands SIGTERM to its shell only, so the server is stopped itself.
const npm = process.env.npm_execpath;
const viaNpm = await figure(() =>
  timeToHealthy(
    npm ? process.execPath : 'npm',
    [...(npm ? [npm] : []), 'start'],
    { ...env, DECENTRA_DATA_DIR: dataDir },
    (child, tree) => {
      const server = tree.at(-1);
      if (server && server.pid !== child.pid) process.kill(server.pid, 'SIGTERM');
      else child.kill('SIGTERM');
    },
  ),
);

let postgres: Figure | undefined;
const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
const admin = new pg.Client({ connectionString: adminUrl });
try {
  await admin.connect();
  postgres = await figure(async () => {
    const name = `decentra_bench_${Date.now()}`;
    await admin.query(`create database ${name}`);
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    try {
      return await timeToHealthy(process.execPath, start.args, {
        ...env,
        DATABASE_URL: url.toString(),
        DECENTRA_DATA_DIR: newFolder('cold-pg-'),
      });
    } finally {
      await admin.query(`drop database ${name} with (force)`);
    }
  });
} catch (err) {
  console.log(`postgres: skipped (${(err as Error).message})`);
} finally {
  await admin.end().catch(() => {});
}
for (const dir of folders) rmSync(dir, { recursive: true, force: true });

const time = (f: Figure) =>
  `${Math.round(f.ms)} ms (${(f.ms / baseline.ms).toFixed(1)}× bare node; ${f.msRange.map(Math.round).join('-')})`;
const mb = (n: number) => `${Math.round(n)} MB`;
const memory = (f: Figure) => {
  const total = sum(f.tree);
  const parts = f.tree.length > 1 ? `: ${f.tree.map((p) => `${p.name} ${mb(p.rssMb)}`).join(', ')}` : '';
  return `tree RSS ${mb(total)} (${(total / sum(baseline.tree)).toFixed(1)}× bare node${parts}; max ${mb(f.treeMaxMb)}), peak while starting ${mb(f.peakMb)}`;
};

console.log(
  `machine: ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}; median of ${RUNS} starts each (range)`,
);
console.log(`start command (package.json "start"): ${start.script}`);
console.log(
  `bare node http server: ${Math.round(baseline.ms)} ms (${baseline.msRange.map(Math.round).join('-')}), RSS ${mb(sum(baseline.tree))}`,
);
console.log(`PGlite, fresh data folder: ${time(fresh)}; ${memory(fresh)}`);
console.log(`PGlite, existing data folder: ${time(warm)}; ${memory(warm)}`);
if (postgres !== undefined) console.log(`PostgreSQL, fresh database: ${time(postgres)}; ${memory(postgres)}`);
console.log(`npm start, existing data folder: ${time(viaNpm)}; ${memory(viaNpm)}`);
