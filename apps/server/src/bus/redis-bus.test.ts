import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, refused, restClient } from '../../test/people.js';
import { createTestDatabase, ENGINE, type TestDatabase } from '../../test/test-db.js';
import { startTestServer, type TestServer } from '../../test/test-server.js';
import { TestSocket } from '../../test/ws-client.js';
import { createLogger } from '../infra/logger.js';
import { type BusMessage, dropTopic } from '../kernel/events.js';
import { RedisBus } from './redis-bus.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Two instances on one PostgreSQL database, fanning out through Redis (needs a shared database). */
describe.runIf(ENGINE === 'postgres')('two instances behind one Redis', () => {
  let db: TestDatabase;
  let a: TestServer;
  let b: TestServer;

  beforeAll(async () => {
    db = await createTestDatabase();
    const throttle = { perAccountAddress: 3, perAddress: 1000, windowSeconds: 60 };
    a = await startTestServer({ db, config: { redisUrl: REDIS_URL }, throttle });
    b = await startTestServer({ db, config: { redisUrl: REDIS_URL }, throttle });
  });
  afterAll(async () => {
    await b?.close({ keepData: true });
    await a?.close();
  });

  it('take distinct worker ids, so their ids never collide', async () => {
    const first = restClient(a.url);
    await first.signup({ username: 'first', password: PASSWORD });
    const invites = await Promise.all(Array.from({ length: 20 }, () => first.createInvite()));
    const users = await Promise.all(
      invites.map(({ code }, i) =>
        restClient(i % 2 ? a.url : b.url).signup({ username: `u${i}`, password: PASSWORD, inviteCode: code }),
      ),
    );
    const ids = users.map((u) => u.user.id);
    expect(new Set(ids).size).toBe(20);
  });

  it('carry a logout on one instance to the sockets on the other', async () => {
    const onA = restClient(a.url);
    const { token } = await onA.login({ username: 'first', password: PASSWORD });
    const { socket } = await TestSocket.identified(b.wsUrl, token);
    await onA.logout();
    expect((await socket.closed).code).toBe(4009);
  });

  it('close every gateway session when the bus comes back from a gap, and none can be resumed', async () => {
    const { token } = await restClient(b.url).login({ username: 'first', password: PASSWORD });
    const { socket, ready } = await TestSocket.identified(b.wsUrl, token);
    const bus = b.app.bus;
    if (!(bus instanceof RedisBus)) throw new Error('instance b runs without the Redis bus');
    // Cut only b's subscriber connection (other test files share this Redis); ioredis reconnects.
    const admin = new Redis(REDIS_URL);
    try {
      const list = String(await admin.call('CLIENT', 'LIST'));
      const line = list.split('\n').find((l) => l.includes(`name=${bus.subscriberName} `));
      const id = line?.match(/\bid=(\d+)/)?.[1];
      expect(id).toBeDefined();
      await admin.call('CLIENT', 'KILL', 'ID', id ?? '');
    } finally {
      admin.disconnect();
    }
    expect((await socket.closed).code).toBe(1012);

    const again = await TestSocket.open(b.wsUrl);
    again.send({ op: 'resume', d: { token, sessionId: ready.sessionId, seq: 0 } });
    const answer = await again.next((f) => f.op === 'resumed' || f.op === 'invalid_session');
    expect(answer.op).toBe('invalid_session');
    again.close();
  });

  it('share the login throttle: failures on one instance count on the other', async () => {
    const name = `victim${Math.random().toString(36).slice(2, 8)}`;
    const first = restClient(a.url);
    await first.login({ username: 'first', password: PASSWORD });
    const { code } = await first.createInvite();
    await restClient(a.url).signup({ username: name, password: PASSWORD, inviteCode: code });
    for (let i = 0; i < 3; i++) {
      expect((await refused(restClient(a.url).login({ username: name, password: `wrong${i}` }))).status).toBe(
        401,
      );
    }
    const blocked = await refused(restClient(b.url).login({ username: name, password: PASSWORD }));
    expect(blocked).toMatchObject({ status: 429, code: 'rate_limited' });
  });
});

describe('the Redis bus payload', () => {
  it('hands handlers exactly the published messages, measures lag from its stamp, and reads a batch without one', async () => {
    const channel = `decentra:bus-test-${Date.now()}-${Math.random()}`;
    const bus = await RedisBus.connect(REDIS_URL, createLogger('silent'), channel);
    const raw = new Redis(REDIS_URL);
    try {
      const heard: BusMessage[] = [];
      const lags: number[] = [];
      bus.subscribe((m) => heard.push(m));
      bus.observeLag((s) => lags.push(s));
      const first = dropTopic({ kind: 'server', serverId: '1' });
      // As an instance from before the stamp publishes: a bare array.
      await raw.publish(channel, JSON.stringify([first]));
      const second = dropTopic({ kind: 'server', serverId: '2' });
      const third = dropTopic({ kind: 'channel', channelId: '3' });
      await bus.publish([second, third]);
      const deadline = Date.now() + 5_000;
      while (heard.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      expect(heard).toEqual([first, second, third]);
      expect(lags).toHaveLength(1);
      expect(lags[0]).toBeGreaterThanOrEqual(0);
    } finally {
      raw.disconnect();
      await bus.close();
    }
  });
});
