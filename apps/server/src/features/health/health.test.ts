import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { ReadinessSchema } from '@decentra/protocol';
import { afterAll, describe, expect, it } from 'vitest';
import { api } from '../../../test/http.js';
import { refused, restClient } from '../../../test/people.js';
import { startTestServer, type TestServer } from '../../../test/test-server.js';

const servers: TestServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.close().catch(() => {});
});

async function freePort(): Promise<number> {
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const address = probe.address();
  probe.close();
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

describe('GET /healthz and /readyz', () => {
  it('are 200 while the database answers; then liveness stays 200 and readiness is 503', async () => {
    const server = await startTestServer();
    servers.push(server);
    const rest = restClient(server.url);
    expect(await rest.health()).toEqual({ status: 'ok' });
    expect(await rest.ready()).toEqual({ status: 'ok', database: 'ok', bus: 'none' });

    await server.app.storage.close();
    // Nothing a restart would fix: the process still answers.
    expect(await rest.health()).toEqual({ status: 'ok' });
    // The SDK sees a refusal with the status; the 503 body (not an error body) raw.
    expect((await refused(rest.ready())).status).toBe(503);
    const res = await api(server.url).get('/readyz');
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ status: 'unavailable', database: 'down', bus: 'none' });
    expect(ReadinessSchema.safeParse(res.body).success).toBe(true);
  });

  it('reports the Redis bus, and is 503 once Redis is gone', async () => {
    const port = await freePort();
    const redis: ChildProcess = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    try {
      await expect
        .poll(async () => {
          const { Redis } = await import('ioredis');
          const probe = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0 });
          probe.on('error', () => {});
          try {
            await probe.connect();
            return await probe.ping();
          } catch {
            return 'down';
          } finally {
            probe.disconnect();
          }
        })
        .toBe('PONG');
      const server = await startTestServer({ config: { redisUrl: `redis://127.0.0.1:${port}` } });
      servers.push(server);
      const rest = restClient(server.url);
      expect(await rest.ready()).toEqual({ status: 'ok', database: 'ok', bus: 'ok' });
      redis.kill('SIGKILL');
      await once(redis, 'exit');
      await expect
        .poll(async () => (await api(server.url).get('/readyz')).body)
        .toEqual({
          status: 'unavailable',
          database: 'ok',
          bus: 'down',
        });
      expect(await rest.health()).toEqual({ status: 'ok' });
    } finally {
      if (redis.exitCode === null) redis.kill('SIGKILL');
    }
  });
});
