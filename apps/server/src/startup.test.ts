import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RestClient } from '@decentra/client';
import { afterAll, describe, expect, it } from 'vitest';
import { PASSWORD, restClient } from '../test/people.js';
import { pinnedFetch } from '../test/pinned-fetch.js';
import { exited, SpawnedServers } from '../test/spawned-server.js';
import { createTestDatabase, ENGINE } from '../test/test-db.js';

/** These start the real entry point (`npm start` runs the same file) as a separate process. */
const SERVER_DIR = fileURLToPath(new URL('..', import.meta.url));
const servers = new SpawnedServers(['--import', 'tsx', 'src/main.ts'], SERVER_DIR);
const start = (env: Record<string, string>) => servers.start(env);

afterAll(() => servers.killAll());

function failure(env: Record<string, string>): Promise<{ code: number | null; stderr: string; ms: number }> {
  const t0 = Date.now();
  const child = servers.run(env);
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stderr, ms: Date.now() - t0 })));
}

describe('starting the server', () => {
  it('stops with one line naming a bad variable', async () => {
    const r = await failure({ PORT: 'abc' });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      'Invalid configuration: PORT must be a port number from 0 to 65535 (got "abc")',
    );
  });

  it('refuses production without DECENTRA_ENCRYPTION_KEY, saying why', async () => {
    const r = await failure({
      NODE_ENV: 'production',
      DECENTRA_DATA_DIR: mkdtempSync(join(tmpdir(), 'prod-')),
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/DECENTRA_ENCRYPTION_KEY is required when NODE_ENV=production/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it.runIf(ENGINE === 'pglite')(
    'runs on the embedded database over HTTPS with no setup, guards its data folder, and survives kill -9',
    async () => {
      const dataDir = join(mkdtempSync(join(tmpdir(), 'start-')), 'data');
      const first = await start({ DECENTRA_DATA_DIR: dataDir });
      expect(first.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const ca = readFileSync(join(dataDir, 'tls', 'cert.pem'), 'utf8');
      // The SDK, trusting exactly the certificate the server made.
      const sdk = (url: string) => new RestClient({ baseUrl: url, fetch: pinnedFetch(ca), validate: true });
      expect(await sdk(first.url).ready()).toEqual({ status: 'ok', database: 'ok', bus: 'none' });

      // The generated encryption key: in the data folder, owner-only, announced with a warning.
      const keyFile = join(dataDir, 'encryption.key');
      expect(statSync(keyFile).mode & 0o777).toBe(0o600);
      expect(readFileSync(keyFile, 'utf8').trim()).toMatch(/^[0-9a-f]{64}$/);
      expect(
        first.stdout.some(
          (l) => l.includes('"level":40') && l.includes('DECENTRA_ENCRYPTION_KEY is not set'),
        ),
      ).toBe(true);

      const signup = await sdk(first.url).signup({ username: 'owner', password: PASSWORD });
      expect(signup.user.isAdmin).toBe(true);

      // A second process on the same folder fails fast with a clear message.
      const second = await failure({ DECENTRA_DATA_DIR: dataDir });
      expect(second.code).toBe(1);
      expect(second.stderr).toMatch(
        new RegExp(`in use by another Decentra process \\(pid ${first.child.pid}\\)`),
      );

      // A crash leaves a stale lock; the next start takes it over and finds the data.
      first.child.kill('SIGKILL');
      await exited(first.child);
      const third = await start({ DECENTRA_DATA_DIR: dataDir });
      const login = await sdk(third.url).login({ username: 'owner', password: PASSWORD });
      expect(login.user.id).toBe(signup.user.id);
      // Same key and certificate as before: made once, reused.
      expect(readFileSync(join(dataDir, 'tls', 'cert.pem'), 'utf8')).toBe(ca);
      expect(third.stdout.some((l) => l.includes('generated a new key'))).toBe(false);

      third.child.kill('SIGTERM');
      expect(await exited(third.child)).toBe(0);
      expect(existsSync(join(dataDir, 'decentra.pid'))).toBe(false);
    },
    60_000,
  );

  it.runIf(ENGINE === 'postgres')(
    'runs on PostgreSQL with DATABASE_URL, plain HTTP when DECENTRA_TLS=off',
    async () => {
      const db = await createTestDatabase();
      if (db.database.kind !== 'postgres') throw new Error('unreachable');
      try {
        const server = await start({
          DATABASE_URL: db.database.url,
          DECENTRA_TLS: 'off',
          DECENTRA_DATA_DIR: db.dataDir,
        });
        expect(server.url).toMatch(/^http:\/\//);
        expect(await restClient(server.url).ready()).toEqual({ status: 'ok', database: 'ok', bus: 'none' });
        server.child.kill('SIGTERM');
        expect(await exited(server.child)).toBe(0);
      } finally {
        await db.drop();
      }
    },
  );
});
