import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RestClient } from '@decentra/client';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { PASSWORD, restClient } from '../test/people.js';
import { pinnedFetch } from '../test/pinned-fetch.js';
import { exited, SpawnedServers } from '../test/spawned-server.js';
import { createTestDatabase, ENGINE } from '../test/test-db.js';

/**
 * The production build (what `npm start` runs: the esbuild bundle of this server, its workspace
 * packages and npm dependencies, from scripts/build.mjs), started as its own process. The tests
 * elsewhere run the sources; these check that the bundle finds its files (migrations, swagger-ui's
 * assets, PGlite's initdb child) and loads its dependencies (argon2, ws, pg).
 */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BUNDLE = join(ROOT, 'apps/server/dist/main.js');
const servers = new SpawnedServers([BUNDLE], ROOT);
const start = (env: Record<string, string>) => servers.start(env);

beforeAll(() => {
  const build = spawnSync(process.execPath, [join(ROOT, 'scripts/build.mjs'), 'server'], {
    stdio: 'inherit',
  });
  expect(build.status).toBe(0);
});
afterAll(() => servers.killAll());

const owner = { username: 'owner', password: PASSWORD };

describe('the built server', () => {
  it.runIf(ENGINE === 'pglite')(
    'creates its data folder, serves HTTPS, the API docs and the gateway, and restarts on its data',
    async () => {
      const dataDir = join(mkdtempSync(join(tmpdir(), 'bundle-')), 'data');
      const first = await start({ DECENTRA_DATA_DIR: dataDir });
      const ca = readFileSync(join(dataDir, 'tls', 'cert.pem'), 'utf8');
      const get = pinnedFetch(ca);
      expect((await get(`${first.url}/healthz`)).status).toBe(200);
      const spec = await get(`${first.url}/api/openapi.json`);
      expect(await spec.json()).toMatchObject({ openapi: expect.stringMatching(/^3\./) });
      expect((await get(`${first.url}/api/docs/static/swagger-ui.css`)).status).toBe(200);
      const { token } = await new RestClient({
        baseUrl: first.url,
        fetch: pinnedFetch(ca),
        validate: true,
      }).signup(owner);
      // sharp (a native addon, outside the bundle) and file-type (inside it) load: an avatar is made.
      const picture = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#336699' } })
        .png()
        .toBuffer();
      const withAvatar = await new RestClient({
        baseUrl: first.url,
        fetch: pinnedFetch(ca),
        token,
      }).setAvatar({
        body: picture,
      });
      expect(withAvatar.avatar).toMatch(/^[0-9a-f]{64}$/);

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
      const again = new RestClient({ baseUrl: second.url, fetch: pinnedFetch(ca), validate: true });
      expect((await again.login(owner)).user.username).toBe('owner');
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
      const rest = restClient(server.url);
      expect(await rest.ready()).toEqual({ status: 'ok', database: 'ok', bus: 'none' });
      expect((await rest.signup(owner)).user.isAdmin).toBe(true);
      server.child.kill('SIGTERM');
      expect(await exited(server.child)).toBe(0);
    } finally {
      await db.drop();
    }
  });
});
