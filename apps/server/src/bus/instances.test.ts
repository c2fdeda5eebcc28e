import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../test/manual-clock.js';
import { ENGINE } from '../../test/test-db.js';
import { createLogger } from '../infra/logger.js';
import { Instances } from './instances.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const HEARTBEAT_MS = 1_000;

/** Redis, as the clusters of the postgres project have it. */
describe.runIf(ENGINE === 'postgres')('instances sharing one Redis', () => {
  const prefix = `test:${randomUUID()}:`;
  const clock = new ManualClock();
  let redis: Redis;
  const instance = (instanceId: string) =>
    new Instances({
      redis,
      prefix,
      instanceId,
      clock,
      log: createLogger('silent'),
      heartbeatMs: HEARTBEAT_MS,
    });

  beforeAll(() => {
    redis = new Redis(REDIS_URL);
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  it('count one alive while it beats and its subscriber listens; dead the moment the subscriber is gone', async () => {
    const a = instance('a');
    const b = instance('b');
    await a.start();
    // Beating, but nothing listening for it (a process killed right after its beat).
    expect(await b.isLive('a')).toBe(false);
    const subscriber = new Redis(REDIS_URL);
    await subscriber.subscribe(a.aliveChannel);
    expect(await b.isLive('a')).toBe(true);
    // The connection closes with the process: no beat is missed yet, and it is dead already.
    subscriber.disconnect();
    await expect.poll(() => b.isLive('a')).toBe(false);
    a.stop();
  });

  it('count one dead once it has missed its beats, though it still listens', async () => {
    const a = instance('stalled');
    const b = instance('other');
    await a.start();
    const subscriber = new Redis(REDIS_URL);
    await subscriber.subscribe(a.aliveChannel);
    a.stop();
    expect(await b.isLive('stalled')).toBe(true);
    clock.advance(3 * HEARTBEAT_MS + 1);
    expect(await b.isLive('stalled')).toBe(false);
    subscriber.disconnect();
  });
});
