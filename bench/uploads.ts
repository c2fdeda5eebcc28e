/**
 * `npm run bench:uploads`: the upload path against bare Node, in one run.
 * 1. Throughput of one 25 MB upload (random bytes: a `file`, nothing to re-encode) to Decentra,
 *    against a bare `http` server that streams the same body to a file (the floor any upload
 *    route has). Rounds interleave the two, fresh bytes each time (no dedup shortcut).
 * 2. The time to clean a 12-megapixel photo and make its preview (media.ts: auto-orient,
 *    re-encode without metadata, 800×800 WebP), against sharp's bare resize to the same preview.
 * 3. Peak RSS of the Decentra process (its own process, embedded database) above idle during ten
 *    parallel 25 MB uploads: it must stay far below 10 × 25 MB (nothing is held whole in memory).
 * Decentra runs as its own process (`tsx apps/server/src/main.ts`); the client streams from files.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  createReadStream,
  createWriteStream,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { open } from 'node:fs/promises';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { processImage } from '../apps/server/src/features/attachments/media.js';

const MB = 1024 * 1024;
const SIZE = 25 * MB;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const PARALLEL = 10;
const ROOT = fileURLToPath(new URL('../', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'decentra-bench-uploads-'));

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** POSTs a file's bytes as they are read from disk (Content-Length set): seconds taken. */
function post(url: string, file: string, headers: Record<string, string> = {}): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      headers: { 'content-length': String(SIZE), 'content-type': 'application/octet-stream', ...headers },
    });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () =>
        res.statusCode === 201
          ? resolve((performance.now() - started) / 1000)
          : reject(new Error(`answered ${res.statusCode}`)),
      );
    });
    req.on('error', reject);
    createReadStream(file).pipe(req);
  });
}

function freshFile(name: string): string {
  const path = join(work, name);
  writeFileSync(path, randomBytes(SIZE));
  return path;
}

/** The bare server; with `durable`, it fsyncs the file before answering, as Decentra does. */
async function startBaseline(durable: boolean): Promise<{ url: string; close: () => Promise<void> }> {
  let n = 0;
  const server = createServer((req, res) => {
    n += 1;
    const path = join(work, `baseline-${durable}-${n}`);
    pipeline(req, createWriteStream(path))
      .then(async () => {
        if (!durable) return;
        const handle = await open(path, 'r');
        await handle.sync();
        await handle.close();
      })
      .then(
        () => res.writeHead(201).end('{}'),
        () => res.writeHead(500).end(),
      );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function startDecentra(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/server/src/main.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      HOST: '127.0.0.1',
      PORT: '0',
      DECENTRA_TLS: 'off',
      DECENTRA_DATA_DIR: join(work, 'data'),
      DECENTRA_ENCRYPTION_KEY: 'ab'.repeat(32),
      DECENTRA_UPLOAD_QUOTA_BYTES: String(10 * 1024 * MB),
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      const found = /Decentra is listening on (\S+)"/.exec(chunk)?.[1];
      if (found) resolve(found);
    });
    child.on('exit', (code) => reject(new Error(`server exited ${code}`)));
  });
  child.stdout?.resume();
  return { child, url };
}

async function json<T>(url: string, init: RequestInit): Promise<T> {
  const res = await fetch(url, init);
  if (!res.ok) throw new Error(`${url} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

const rssOf = (pid: number) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;

async function main(): Promise<void> {
  console.log(
    `machine: ${cpus().length} cores (${cpus()[0]?.model}), ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}, load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const baseline = await startBaseline(false);
  const durable = await startBaseline(true);
  const decentra = await startDecentra();
  try {
    const auth = await json<{ token: string }>(`${decentra.url}/api/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'bench', password: 'password123' }),
    });
    const headers = { authorization: `Bearer ${auth.token}`, 'x-requested-with': 'decentra' };
    const server = await json<{ channels: Array<{ id: string; type: string }> }>(
      `${decentra.url}/api/servers`,
      {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Bench' }),
      },
    );
    const channel = server.channels.find((c) => c.type === 'text')?.id;
    const uploadUrl = (name: string) =>
      `${decentra.url}/api/channels/${channel}/attachments?filename=${name}`;

    // 1. Throughput, interleaved.
    const ours: number[] = [];
    const bare: number[] = [];
    const bareSynced: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const [a, b, c] = ['a', 'b', 'c'].map((x) => freshFile(`${x}-${round}`));
      if (!a || !b || !c) throw new Error('no file');
      bare.push(await post(baseline.url, a));
      bareSynced.push(await post(durable.url, c));
      ours.push(await post(uploadUrl(`u-${round}.bin`), b, headers));
      for (const f of [a, b, c]) rmSync(f);
    }
    const mbps = (s: number) => SIZE / MB / s;
    console.log(
      `upload 25 MB: Decentra ${mbps(median(ours)).toFixed(0)} MB/s, bare Node ${mbps(median(bare)).toFixed(0)} MB/s, bare Node + fsync ${mbps(median(bareSynced)).toFixed(0)} MB/s (medians of ${ROUNDS}); Decentra/bare ${(median(bare) / median(ours)).toFixed(2)}, Decentra/bare+fsync ${(median(bareSynced) / median(ours)).toFixed(2)} (throughput ratios)`,
    );

    // 2. A 12-megapixel photo.
    const photo = join(work, 'photo.jpg');
    await sharp(randomBytes(4000 * 3000 * 3), { raw: { width: 4000, height: 3000, channels: 3 } })
      .jpeg({ quality: 85 })
      .withMetadata({ orientation: 6 })
      .toFile(photo);
    const processed: number[] = [];
    const bareResize: number[] = [];
    for (let round = 0; round < 3; round++) {
      let t = performance.now();
      await sharp(photo)
        .resize(800, 800, { fit: 'inside' })
        .webp({ quality: 80 })
        .toFile(join(work, `bare-${round}.webp`));
      bareResize.push(performance.now() - t);
      t = performance.now();
      await processImage(
        photo,
        'image/jpeg',
        join(work, `clean-${round}.jpg`),
        join(work, `preview-${round}.webp`),
      );
      processed.push(performance.now() - t);
    }
    console.log(
      `12 MP photo: cleaned + preview ${median(processed).toFixed(0)} ms, bare sharp resize to the preview ${median(bareResize).toFixed(0)} ms (medians of 3); ratio ${(median(processed) / median(bareResize)).toFixed(2)}`,
    );

    // 3. Peak RSS during ten parallel uploads.
    const files = Array.from({ length: PARALLEL }, (_, i) => freshFile(`p-${i}`));
    const pid = decentra.child.pid ?? 0;
    const idle = rssOf(pid);
    let peak = idle;
    const sampler = setInterval(() => {
      peak = Math.max(peak, rssOf(pid));
    }, 10);
    const started = performance.now();
    await Promise.all(files.map((f, i) => post(uploadUrl(`par-${i}.bin`), f, headers)));
    clearInterval(sampler);
    peak = Math.max(peak, rssOf(pid));
    console.log(
      `ten parallel 25 MB uploads: ${((performance.now() - started) / 1000).toFixed(1)} s; RSS idle ${(idle / MB).toFixed(0)} MB, peak ${(peak / MB).toFixed(0)} MB, +${((peak - idle) / MB).toFixed(0)} MB (the bodies: ${(PARALLEL * SIZE) / MB} MB)`,
    );
  } finally {
    decentra.child.kill('SIGTERM');
    await baseline.close();
    await durable.close();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
