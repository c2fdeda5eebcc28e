import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { httpsRequest } from '../test/https-get.js';
import { createTestDatabase, ENGINE } from '../test/test-db.js';

/**
 * The production build (what `npm start` runs: the esbuild bundle of this server, its workspace
 * packages and npm dependencies, from scripts/build.mjs), started as its own process. The tests
 * elsewhere run the sources; these check that the bundle finds its files (migrations, swagger-ui's
 * assets, PGlite's initdb child) and loads its dependencies (argon2, ws, pg).
 */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BUNDLE = join(ROOT, 'apps/server/dist/main.js');
const children = new Set<ChildProcess>();

beforeAll(() => {
  const build = spawnSync(process.execPath, [join(ROOT, 'scripts/build.mjs'), 'server'], {
    stdio: 'inherit',
  });
  expect(build.status).toBe(0);
});
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
});

function start(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [BUNDLE], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      HOST: '127.0.0.1',
      PORT: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.on('exit', () => children.delete(child));
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: string) => {
      output += chunk;
      const url = /Decentra is listening on (\S+)"/.exec(output)?.[1];
      if (url) resolve({ child, url });
    };
    child.stdout?.setEncoding('utf8').on('data', onData);
    child.stderr?.setEncoding('utf8').on('data', onData);
    child.on('exit', (code) => reject(new Error(`exited ${code} before listening: ${output}`)));
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.on('exit', (code) => resolve(code));
  });
}

const json = { 'content-type': 'application/json' };
const owner = JSON.stringify({ username: 'owner', password: 'password123' });

describe('the built server', () => {
  it.runIf(ENGINE === 'pglite')(
    'creates its data folder, serves HTTPS, the API docs and the gateway, and restarts on its data',
    async () => {
      const dataDir = join(mkdtempSync(join(tmpdir(), 'bundle-')), 'data');
      const first = await start({ DECENTRA_DATA_DIR: dataDir });
      const ca = readFileSync(join(dataDir, 'tls', 'cert.pem'), 'utf8');
      expect((await httpsRequest(`${first.url}/healthz`, ca)).status).toBe(200);
      const spec = await httpsRequest(`${first.url}/api/openapi.json`, ca);
      expect(JSON.parse(spec.body)).toMatchObject({ openapi: expect.stringMatching(/^3\./) });
      expect((await httpsRequest(`${first.url}/api/docs/static/swagger-ui.css`, ca)).status).toBe(200);
      const signup = await httpsRequest(`${first.url}/api/auth/signup`, ca, {
        method: 'POST',
        headers: json,
        body: owner,
      });
      expect(signup.status).toBe(201);
      const { token } = JSON.parse(signup.body) as { token: string };

      const ws = new WebSocket(`${first.url.replace('https', 'wss')}/ws`, { ca });
      const ready = await new Promise<{ op: string }>((resolve, reject) => {
        ws.once('open', () => ws.send(JSON.stringify({ op: 'identify', d: { token } })));
        ws.on('message', (data) => resolve(JSON.parse(String(data)) as { op: string }));
        ws.once('error', reject);
      });
      expect(ready.op).toBe('ready');
      ws.close();

      first.child.kill('SIGTERM');
      expect(await exited(first.child)).toBe(0);
      const second = await start({ DECENTRA_DATA_DIR: dataDir });
      const login = await httpsRequest(`${second.url}/api/auth/login`, ca, {
        method: 'POST',
        headers: json,
        body: owner,
      });
      expect(login.status).toBe(200);
      second.child.kill('SIGTERM');
      expect(await exited(second.child)).toBe(0);
    },
    180_000,
  );

  it.runIf(ENGINE === 'postgres')('runs on PostgreSQL', async () => {
    const db = await createTestDatabase();
    if (db.database.kind !== 'postgres') throw new Error('unreachable');
    try {
      const server = await start({
        DATABASE_URL: db.database.url,
        DECENTRA_TLS: 'off',
        DECENTRA_DATA_DIR: db.dataDir,
      });
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      const signup = await fetch(`${server.url}/api/auth/signup`, {
        method: 'POST',
        headers: json,
        body: owner,
      });
      expect(signup.status).toBe(201);
      server.child.kill('SIGTERM');
      expect(await exited(server.child)).toBe(0);
    } finally {
      await db.drop();
    }
  });
});
