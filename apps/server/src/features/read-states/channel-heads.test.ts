import { compareIds, isUnread, type Message, type Server } from '@decentra/protocol';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { befriend, type Person, people, restClient, serverWith } from '../../../test/people.js';
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

/**
 * Gates behind the newest message they guard: a channel whose head's `last_everyone_id` is older
 * than its newest @everyone, a (user, channel) whose `mention_heads` row is older than the newest
 * message naming them. Either would hide unread mentions; a gate too new only costs a probe.
 */
async function gatesBehind(db: Db, channels: string[]): Promise<{ checked: number; behind: unknown[] }> {
  const ids = sql.raw(channels.map((c) => `${BigInt(c)}`).join(', '));
  const everyone = await executeRows<{ channel_id: string; gate: string | null; newest: string }>(
    db,
    sql`select m.channel_id::text, h.last_everyone_id::text as gate, max(m.id)::text as newest
        from messages m left join channel_heads h on h.channel_id = m.channel_id
        where m.channel_id in (${ids}) and m.mention_everyone is not null
        group by m.channel_id, h.last_everyone_id`,
  );
  const named = await executeRows<{
    user_id: string;
    channel_id: string;
    gate: string | null;
    newest: string;
  }>(
    db,
    sql`select mm.user_id::text, mm.channel_id::text, mh.last_mention_id::text as gate,
          max(mm.message_id)::text as newest
        from message_mentions mm
        left join mention_heads mh on mh.user_id = mm.user_id and mh.channel_id = mm.channel_id
        where mm.channel_id in (${ids}) group by mm.user_id, mm.channel_id, mh.last_mention_id`,
  );
  const behind = [...everyone, ...named].filter((r) => r.gate === null || BigInt(r.gate) < BigInt(r.newest));
  return { checked: everyone.length + named.length, behind };
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

  it('mention gates follow sends and edits, and a gate a delete left behind still counts right', async () => {
    const c = await freshChannel();
    const db = server.app.storage.db;
    const [first, , named] = await Promise.all([
      send(owner, c, 'hello @ann'),
      send(ben, c, 'plain'),
      send(ben, c, '@ann look'),
      send(owner, c, '@everyone meeting'),
      send(ben, c, '@everyone from ben is text'),
    ]);
    expect(await gatesBehind(db, [c])).toMatchObject({ checked: 2, behind: [] });
    expect(await ann.rest.getReadState({ channelId: c })).toMatchObject({ mentionCount: 3 });
    expect(await ben.rest.getReadState({ channelId: c })).toMatchObject({ mentionCount: 1 });
    // The newest mention of Ann deleted: her gate is now too new, her count is still exact.
    await ben.rest.deleteMessage({ channelId: c, messageId: named?.id ?? '' });
    expect(await ann.rest.getReadState({ channelId: c })).toMatchObject({ mentionCount: 2 });
    // An edit that names Ben and adds @everyone opens both gates for an old message.
    const quiet = await send(owner, c, 'quiet');
    await ann.rest.ackChannel({ channelId: c, messageId: quiet.id });
    await ben.rest.ackChannel({ channelId: c, messageId: quiet.id });
    await owner.rest.editMessage({ channelId: c, messageId: quiet.id, content: 'now @ben @everyone' });
    expect(await gatesBehind(db, [c])).toMatchObject({ behind: [] });
    expect(await ben.rest.getReadState({ channelId: c })).toMatchObject({ mentionCount: 0 });
    // Named in a message after his mark: counted once though it is also @everyone.
    await send(owner, c, 'and @ben @everyone again');
    expect(await ben.rest.getReadState({ channelId: c })).toMatchObject({ mentionCount: 1 });
    await owner.rest.editMessage({ channelId: c, messageId: first?.id ?? '', content: 'hello @ben' });
    expect(await gatesBehind(db, [c])).toMatchObject({ behind: [] });
  });

  it("ready's unread states (the function) are each channel's own read state (the per-channel statement)", async () => {
    // One of each case for Ann: never read, read to the middle, read to the end, her own head over
    // someone's message, @name and @everyone past and before her mark, an unread DM, a read DM.
    const [never, middle, end, ownHead, quiet] = await Promise.all([1, 2, 3, 4, 5].map(() => freshChannel()));
    const channels = [never, middle, end, ownHead, quiet] as string[];
    await befriend(ann, ben);
    const dm = (await ann.rest.openDm({ userId: ben.id })).id;
    await befriend(ann, owner);
    const readDm = (await ann.rest.openDm({ userId: owner.id })).id;
    for (const c of channels.slice(0, 4)) {
      await send(ben, c, 'one @ann');
      await send(owner, c, '@everyone two');
    }
    const mark = await send(ben, middle as string, 'the middle');
    await send(ben, middle as string, 'after the mark @ann');
    await send(owner, middle as string, 'and @everyone after it');
    await ann.rest.ackChannel({ channelId: middle as string, messageId: mark.id });
    const last = await send(ben, end as string, 'the end');
    await ann.rest.ackChannel({ channelId: end as string, messageId: last.id });
    await send(ann, ownHead as string, 'mine is the newest');
    await send(ann, quiet as string, 'only mine here');
    for (let i = 0; i < 3; i++) await send(ben, dm, `dm ${i}`);
    const seen = await send(owner, readDm, 'read');
    await ann.rest.ackChannel({ channelId: readDm, messageId: seen.id });

    const { socket, ready } = await TestSocket.identified(server.wsUrl, ann.token);
    socket.close();
    const mine = new Set([...channels, dm, readDm]);
    const fromReady = ready.readStates.filter((s) => mine.has(s.channelId));
    const oneByOne = await Promise.all([...mine].map((c) => ann.rest.getReadState({ channelId: c })));
    const unread = oneByOne.filter((s) => isUnread(s)).sort((a, b) => compareIds(a.channelId, b.channelId));
    expect(fromReady).toEqual(unread);
    expect(unread.map((s) => [s.channelId, s.mentionCount])).toEqual(
      [
        [never, 2],
        [middle, 2],
        [ownHead, 2],
        [dm, 3],
      ].sort((a, b) => compareIds(String(a[0]), String(b[0]))),
    );
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

  it('end at the newest message of each channel, without an error, through sends, edits and deletes', async () => {
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
                // Some name Ann or Ben, some are the owner's @everyone (the others' stay text).
                const also = ['', ' @ann', ' @ben @everyone'][k] ?? '';
                return rest.sendMessage({ channelId, content: `r${round} w${w} k${k} ${i}${also}` });
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
    // Edits that add mentions open the gates in the order the group commit locks them.
    const edits = sent
      .filter((m) => m.author.id === owner.id && m.mentionEveryone === undefined)
      .slice(0, 12)
      .map((m, i) =>
        restClient(i % 2 ? a.url : b.url, owner.token).editMessage({
          channelId: m.channelId,
          messageId: m.id,
          content: `${m.content} @ben @everyone`,
        }),
      );
    await Promise.all([burst(1), ...deletes, ...edits]);
    heads = await headsOf(a.app.storage.db, channels);
    expect(heads.stored).toHaveLength(channels.length);
    expect(heads.stored).toEqual(heads.expected);
    const gates = await gatesBehind(a.app.storage.db, channels);
    expect(gates.checked).toBeGreaterThan(channels.length);
    expect(gates.behind).toEqual([]);
  });
});
