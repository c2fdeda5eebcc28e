import type { Message, Server } from '@decentra/protocol';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Person, people, restClient, serverWith } from '../../../test/people.js';
import { createTestDatabase, ENGINE, type TestDatabase } from '../../../test/test-db.js';
import { startTestServer, type TestServer } from '../../../test/test-server.js';
import { TestSocket } from '../../../test/ws-client.js';
import { type Db, executeRows } from '../../storage/db.js';

interface Head {
  channel_id: string;
  last_message_id: string;
  author_id: string;
}

/** The heads of `channels` as stored, and as they should be (the newest message of each). */
async function headsOf(db: Db, channels: string[]): Promise<{ stored: Head[]; expected: Head[] }> {
  const ids = sql.raw(channels.map((c) => `${BigInt(c)}`).join(', '));
  const stored = await executeRows<Head>(
    db,
    sql`select channel_id::text, last_message_id::text, author_id::text from channel_heads
        where channel_id in (${ids}) order by channel_id`,
  );
  const expected = await executeRows<Head>(
    db,
    sql`select distinct on (channel_id) channel_id::text, id::text as last_message_id, author_id::text
        from messages where channel_id in (${ids}) order by channel_id, id desc`,
  );
  return { stored, expected };
}

const send = (p: Person, channelId: string, content: string) => p.rest.sendMessage({ channelId, content });

describe('channel heads', () => {
  let server: TestServer;
  let owner: Person;
  let ann: Person;
  let ben: Person;
  let guild: Server;

  beforeAll(async () => {
    server = await startTestServer({ sendLimits: { points: 10_000, windowSeconds: 5 } });
    [owner, ann, ben] = await people(server.url, ['owner', 'ann', 'ben']);
    guild = await serverWith(owner, 'Heads', [ann, ben]);
  });
  afterAll(() => server.close());

  async function freshChannel(): Promise<string> {
    const name = `c${Math.random().toString(36).slice(2, 10)}`;
    return (await owner.rest.createChannel({ serverId: guild.id, name, type: 'text' })).id;
  }

  it('follow the newest message through deletes, down to no head when none is left', async () => {
    const c = await freshChannel();
    const db = server.app.storage.db;
    const a = await send(ann, c, 'one');
    const b = await send(ben, c, 'two');
    const d = await send(ann, c, 'three');
    expect((await headsOf(db, [c])).stored).toEqual([
      { channel_id: c, last_message_id: d.id, author_id: ann.id },
    ]);
    // Not the head: the head stays.
    await owner.rest.deleteMessage({ channelId: c, messageId: b.id });
    expect((await headsOf(db, [c])).stored).toEqual([
      { channel_id: c, last_message_id: d.id, author_id: ann.id },
    ]);
    // The head: the newest message left takes its place.
    await ann.rest.deleteMessage({ channelId: c, messageId: d.id });
    expect((await headsOf(db, [c])).stored).toEqual([
      { channel_id: c, last_message_id: a.id, author_id: ann.id },
    ]);
    expect(await owner.rest.getReadState({ channelId: c })).toMatchObject({ lastMessageId: a.id });
    // The last one: no head, nothing unread.
    await ann.rest.deleteMessage({ channelId: c, messageId: a.id });
    expect((await headsOf(db, [c])).stored).toEqual([]);
    expect(await owner.rest.getReadState({ channelId: c })).toEqual({
      channelId: c,
      lastReadId: null,
      lastMessageId: null,
      mentionCount: 0,
    });
    const { socket, ready } = await TestSocket.identified(server.wsUrl, owner.token);
    expect(ready.readStates.find((s) => s.channelId === c)).toBeUndefined();
    socket.close();
    // A send after that makes a head again.
    const e = await send(ben, c, 'again');
    expect((await headsOf(db, [c])).stored).toEqual([
      { channel_id: c, last_message_id: e.id, author_id: ben.id },
    ]);
    expect(await owner.rest.getReadState({ channelId: c })).toMatchObject({ lastMessageId: e.id });
  });

  it("a head of the user's own is passed over for the newest message by someone else", async () => {
    const c = await freshChannel();
    const theirs = await send(ben, c, 'from ben');
    const mine = await send(ann, c, 'from ann');
    await send(ann, c, 'ann again');
    expect(await ann.rest.getReadState({ channelId: c })).toMatchObject({ lastMessageId: theirs.id });
    expect(await ben.rest.getReadState({ channelId: c })).toMatchObject({
      lastMessageId: expect.any(String),
    });
    const { socket, ready } = await TestSocket.identified(server.wsUrl, ann.token);
    expect(ready.readStates.find((s) => s.channelId === c)).toMatchObject({ lastMessageId: theirs.id });
    socket.close();
    // Read up to Ben's message: nothing unread for Ann, though the head is later.
    expect(await ann.rest.ackChannel({ channelId: c, messageId: mine.id })).toMatchObject({
      lastMessageId: theirs.id,
    });
    const again = await TestSocket.identified(server.wsUrl, ann.token);
    expect(again.ready.readStates.find((s) => s.channelId === c)).toBeUndefined();
    again.socket.close();
    // A channel where only Ann wrote: nothing by others, nothing unread.
    const alone = await freshChannel();
    await send(ann, alone, 'just me');
    expect(await ann.rest.getReadState({ channelId: alone })).toMatchObject({
      lastMessageId: null,
      mentionCount: 0,
    });
  });
});

/** Two instances on one PostgreSQL database writing to the same channels at once. */
describe.runIf(ENGINE === 'postgres')('channel heads with two instances', () => {
  const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
  let db: TestDatabase;
  let a: TestServer;
  let b: TestServer;

  beforeAll(async () => {
    db = await createTestDatabase();
    const options = {
      db,
      config: { redisUrl: REDIS_URL },
      sendLimits: { points: 100_000, windowSeconds: 5 },
    };
    a = await startTestServer(options);
    b = await startTestServer(options);
  });
  afterAll(async () => {
    await b?.close({ keepData: true });
    await a?.close();
  });

  it('end at the newest message of each channel, without an error, through sends and deletes', async () => {
    const [owner, ann, ben] = await people(a.url, ['owner', 'ann', 'ben']);
    const guild = await serverWith(owner, 'Both', [ann, ben]);
    const channels: string[] = [];
    for (let i = 0; i < 6; i++) {
      channels.push((await owner.rest.createChannel({ serverId: guild.id, name: `c${i}`, type: 'text' })).id);
    }
    const writers = [owner, ann, ben].flatMap((p) => [
      { p, rest: restClient(a.url, p.token) },
      { p, rest: restClient(b.url, p.token) },
    ]);
    // Each writer sends to every channel in its own order, all at once: the groups of both
    // instances hold overlapping sets of channels.
    const burst = (round: number) =>
      Promise.all(
        writers.flatMap(({ rest }, w) =>
          Array.from({ length: 3 }, (_, k) =>
            Promise.all(
              channels.map((_, i) => {
                const channelId = channels[(i * (w + 1) + k) % channels.length] as string;
                return rest.sendMessage({ channelId, content: `r${round} w${w} k${k} ${i}` });
              }),
            ),
          ),
        ),
      );
    const sent: Message[] = (await burst(0)).flat(2);
    expect(sent).toHaveLength(6 * 3 * 6);
    let heads = await headsOf(a.app.storage.db, channels);
    expect(heads.stored).toHaveLength(channels.length);
    expect(heads.stored).toEqual(heads.expected);

    // Deletes of the heads while both instances keep writing.
    const deletes = heads.stored.map((h, i) =>
      restClient(i % 2 ? a.url : b.url, owner.token).deleteMessage({
        channelId: h.channel_id,
        messageId: h.last_message_id,
      }),
    );
    await Promise.all([burst(1), ...deletes]);
    heads = await headsOf(a.app.storage.db, channels);
    expect(heads.stored).toHaveLength(channels.length);
    expect(heads.stored).toEqual(heads.expected);
  });
});
