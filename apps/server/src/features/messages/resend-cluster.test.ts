import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Person, people, restClient, serverWith } from '../../../test/people.js';
import { createTestDatabase, ENGINE, type TestDatabase } from '../../../test/test-db.js';
import { startTestServer, type TestServer } from '../../../test/test-server.js';
import { TestSocket } from '../../../test/ws-client.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * A nonce resent to another instance (its first instance may have died between commit and
 * publish) is told to the channel again; resent to the instance that stored it, it is not.
 * Postgres project only: two instances share the database.
 */
describe.runIf(ENGINE === 'postgres')('a resent nonce across instances', () => {
  let db: TestDatabase;
  let a: TestServer;
  let b: TestServer;
  let ann: Person;
  let ben: Person;
  let channelId: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    const options = { db, redisPrefix: `test:${randomUUID()}:`, config: { redisUrl: REDIS_URL } };
    a = await startTestServer(options);
    b = await startTestServer(options);
    [ann, ben] = await people(a.url, ['ann', 'ben']);
    const server = await serverWith(ann, 'resends', [ben]);
    channelId = server.channels[0]?.id ?? '';
  });
  afterAll(async () => {
    await b?.close({ keepData: true });
    await a?.close({ keepData: true });
    await db?.drop();
  });

  it('is told again by another instance, once more, with the first message', async () => {
    const watcher = await TestSocket.identified(b.wsUrl, ben.token);
    const heard = (id: string) => watcher.socket.payloads('message_create').filter((d) => d.id === id);
    /** A new message through `via`: one publisher's messages reach the watcher in order, so once
     * this one has, anything `via` told before it has too. */
    const barrier = async (via: typeof ann.rest, nonce: string) => {
      const m = await via.sendMessage({ channelId, content: 'barrier', nonce });
      await watcher.socket.nextEvent('message_create', (d) => d.id === m.id);
    };
    const first = await ann.rest.sendMessage({ channelId, content: 'once', nonce: 'x-1' });
    await watcher.socket.nextEvent('message_create', (d) => d.id === first.id);
    // The instance that stored it answers a resend without telling anyone.
    expect(await ann.rest.sendMessage({ channelId, content: 'once', nonce: 'x-1' })).toEqual(first);
    await barrier(ann.rest, 'barrier-a');
    expect(heard(first.id)).toHaveLength(1);

    const onB = restClient(b.url, ann.token);
    expect((await onB.sendMessage({ channelId, content: 'once', nonce: 'x-1' })).id).toBe(first.id);
    await barrier(onB, 'barrier-b');
    expect(heard(first.id)).toEqual([first, first]);
    watcher.socket.close();
  });
});
