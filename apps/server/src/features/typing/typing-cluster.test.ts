import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../test/manual-clock.js';
import { type Person, people, serverWith, textChannelOf } from '../../../test/people.js';
import { createTestDatabase, ENGINE, type TestDatabase } from '../../../test/test-db.js';
import { startTestServer, type TestServer } from '../../../test/test-server.js';
import { TestSocket } from '../../../test/ws-client.js';
import { TYPING_INTERVAL_MS } from './typing.service.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** The typing throttle shared by two instances (Redis; postgres project only: PGlite cannot be shared). */
describe.runIf(ENGINE === 'postgres')('typing across instances', () => {
  // Made together, so both instances' time is the same.
  const clocks = { a: new ManualClock(), b: new ManualClock() };
  let db: TestDatabase;
  let a: TestServer;
  let b: TestServer;
  let ann: Person;
  let ben: Person;
  let cat: Person;
  let channel: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    const redisPrefix = `test:${randomUUID()}:`;
    const options = (clock: ManualClock) => ({ db, clock, redisPrefix, config: { redisUrl: REDIS_URL } });
    a = await startTestServer(options(clocks.a));
    b = await startTestServer(options(clocks.b));
    [ann, ben, cat] = await people(a.url, ['ann', 'ben', 'cat']);
    channel = textChannelOf(await serverWith(ann, 'Typing', [ben, cat]));
  });
  afterAll(async () => {
    await b?.close({ keepData: true });
    await a?.close();
  });

  const typing = async (socket: TestSocket) =>
    expect((await socket.request('typing', { channelId: channel })).ok).toBe(true);

  it('is heard once per interval from a typist with tabs on two instances', async () => {
    const onA = await TestSocket.identified(a.wsUrl, ann.token);
    const onB = await TestSocket.identified(b.wsUrl, ann.token);
    const listener = await TestSocket.identified(b.wsUrl, ben.token);
    const catOnA = await TestSocket.identified(a.wsUrl, cat.token);
    const fromAnn = () => listener.socket.payloads('typing_start').filter((d) => d.userId === ann.id);

    await typing(onA.socket);
    await typing(onB.socket);
    // Each typing's event leaves before its reply: Cat's, sent after both replies, comes after
    // anything Ann's second tab would have sent.
    await typing(catOnA.socket);
    await listener.socket.nextEvent('typing_start', (d) => d.userId === cat.id);
    expect(fromAnn()).toHaveLength(1);

    // An interval later, her other tab is heard, and then the first one is absorbed in its turn.
    clocks.a.advance(TYPING_INTERVAL_MS);
    clocks.b.advance(TYPING_INTERVAL_MS);
    const seen = listener.socket.frames.length;
    await typing(onB.socket);
    await listener.socket.nextEvent('typing_start', (d) => d.userId === ann.id, 5_000, seen);
    await typing(onA.socket);
    clocks.a.advance(TYPING_INTERVAL_MS);
    clocks.b.advance(TYPING_INTERVAL_MS);
    const beforeCat = listener.socket.frames.length;
    await typing(catOnA.socket);
    await listener.socket.nextEvent('typing_start', (d) => d.userId === cat.id, 5_000, beforeCat);
    expect(fromAnn()).toHaveLength(2);
    for (const x of [onA, onB, listener, catOnA]) x.socket.close();
  });
});
