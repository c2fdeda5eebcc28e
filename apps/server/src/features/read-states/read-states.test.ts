import { MENTION_COUNT_CAP, type ReadState, type Server } from '@decentra/protocol';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settled } from '../../../test/barriers.js';
import { ManualClock } from '../../../test/manual-clock.js';
import {
  befriend,
  PASSWORD,
  type Person,
  people,
  refused,
  serverWith,
  textChannelOf,
  voiceChannelOf,
} from '../../../test/people.js';
import { startTestServer, type TestServer } from '../../../test/test-server.js';
import { startCall } from '../../../test/voice.js';
import { TestSocket } from '../../../test/ws-client.js';
import { executeRows } from '../../storage/db.js';

const clock = new ManualClock();
let server: TestServer;
let owner: Person;
let ann: Person;
let ben: Person;
let stranger: Person;
let guild: Server;

beforeAll(async () => {
  server = await startTestServer({ clock, sendLimits: { points: 10_000, windowSeconds: 5 } });
  [owner, ann, ben, stranger] = await people(server.url, ['owner', 'ann', 'ben', 'stranger']);
  guild = await serverWith(owner, 'Reading', [ann, ben]);
});
afterAll(() => server.close());

const MAX_ID = '9223372036854775807';

async function freshChannel(): Promise<string> {
  const name = `c${Math.random().toString(36).slice(2, 10)}`;
  return (await owner.rest.createChannel({ serverId: guild.id, name, type: 'text' })).id;
}

const stateOf = (p: Person, channelId: string): Promise<ReadState> => p.rest.getReadState({ channelId });
const send = (p: Person, channelId: string, content: string) => p.rest.sendMessage({ channelId, content });
const ack = (p: Person, channelId: string, messageId: string) => p.rest.ackChannel({ channelId, messageId });

async function rowCount(query: ReturnType<typeof sql>): Promise<number> {
  const [row] = await executeRows<{ n: number }>(server.app.storage.db, query);
  return Number(row?.n);
}

describe('unread and mentions', () => {
  it('counts what others wrote after the last read, @name mentions among it', async () => {
    const c = await freshChannel();
    expect(await stateOf(ann, c)).toEqual({
      channelId: c,
      lastReadId: null,
      lastMessageId: null,
      mentionCount: 0,
    });
    const hi = await send(owner, c, 'hi all');
    expect(await stateOf(ann, c)).toEqual({
      channelId: c,
      lastReadId: null,
      lastMessageId: hi.id,
      mentionCount: 0,
    });
    const named = await send(owner, c, 'look @ann, and @Ann again');
    expect(named.mentions).toEqual([ann.id]);
    expect(await stateOf(ann, c)).toMatchObject({ lastMessageId: named.id, mentionCount: 1 });
    expect(await stateOf(ben, c)).toMatchObject({ lastMessageId: named.id, mentionCount: 0 });
    // One's own messages are neither unread nor mentions, even naming oneself.
    await send(ann, c, 'me, @ann');
    expect(await stateOf(ann, c)).toMatchObject({ lastMessageId: named.id, mentionCount: 1 });
    expect(await stateOf(owner, c)).toMatchObject({ lastMessageId: expect.any(String), mentionCount: 0 });
    // The mention is a row written with the message, in the group commit's own statement.
    expect(
      await rowCount(sql`select count(*)::int as n from message_mentions where channel_id = ${c}::bigint`),
    ).toBe(1);

    const after = await ack(ann, c, named.id);
    expect(after).toEqual({ channelId: c, lastReadId: named.id, lastMessageId: named.id, mentionCount: 0 });
    expect(await stateOf(ann, c)).toEqual(after);
  });

  it('@everyone and @here mention the server when the sender may, else they are text', async () => {
    const c = await freshChannel();
    const plain = await send(ben, c, '@everyone look');
    expect(plain.mentionEveryone).toBeUndefined();
    expect(await stateOf(ann, c)).toMatchObject({ mentionCount: 0 });
    // Not a word of its own: no mention either way.
    const mail = await send(owner, c, 'write to x@everyone or @everyones');
    expect(mail.mentionEveryone).toBeUndefined();

    const loud = await send(owner, c, 'hey @everyone.');
    expect(loud.mentionEveryone).toBe('everyone');
    expect(await stateOf(ann, c)).toMatchObject({ lastMessageId: loud.id, mentionCount: 1 });
    expect(await stateOf(ben, c)).toMatchObject({ mentionCount: 1 });
    expect(await stateOf(owner, c)).toMatchObject({ mentionCount: 0 });
    // Named and @everyone at once: one mention.
    await send(owner, c, '@everyone and @ann');
    expect(await stateOf(ann, c)).toMatchObject({ mentionCount: 2 });
    expect(await stateOf(ben, c)).toMatchObject({ mentionCount: 2 });

    await owner.rest.updateMember({
      serverId: guild.id,
      userId: ben.id,
      permissions: { mentionEveryone: true },
    });
    const both = await send(ben, c, '@here and @everyone');
    expect(both.mentionEveryone).toBe('everyone');
    const here = await send(ben, c, '@here now');
    expect(here.mentionEveryone).toBe('here');
    expect(await stateOf(ann, c)).toMatchObject({ mentionCount: 4 });
    expect(await stateOf(ben, c)).toMatchObject({ mentionCount: 2 });
    await owner.rest.updateMember({
      serverId: guild.id,
      userId: ben.id,
      permissions: { mentionEveryone: false },
    });
    expect((await send(ben, c, '@here again')).mentionEveryone).toBeUndefined();
    expect(await stateOf(ann, c)).toMatchObject({ mentionCount: 4 });
  });

  it('counts deletes out, and edits that add or remove a mention', async () => {
    const c = await freshChannel();
    const a = await send(owner, c, '@ann one');
    const b = await send(owner, c, '@ann two');
    const e = await send(owner, c, '@everyone three');
    expect(await stateOf(ann, c)).toMatchObject({ mentionCount: 3, lastMessageId: e.id });
    await owner.rest.deleteMessage({ channelId: c, messageId: a.id });
    expect(await stateOf(ann, c)).toMatchObject({ mentionCount: 2 });
    await owner.rest.deleteMessage({ channelId: c, messageId: e.id });
    expect(await stateOf(ann, c)).toMatchObject({ mentionCount: 1, lastMessageId: b.id });

    const edited = await owner.rest.editMessage({ channelId: c, messageId: b.id, content: 'two, nobody' });
    expect(edited.mentions).toEqual([]);
    expect(await stateOf(ann, c)).toMatchObject({ mentionCount: 0 });
    const back = await owner.rest.editMessage({ channelId: c, messageId: b.id, content: '@ben @everyone' });
    expect(back).toMatchObject({ mentions: [ben.id], mentionEveryone: 'everyone' });
    expect(await stateOf(ann, c)).toMatchObject({ mentionCount: 1 });
    expect(await stateOf(ben, c)).toMatchObject({ mentionCount: 1 });
    const quiet = await owner.rest.editMessage({ channelId: c, messageId: b.id, content: 'quiet' });
    expect(quiet.mentionEveryone).toBeUndefined();
    expect(await stateOf(ann, c)).toMatchObject({ mentionCount: 0 });
    expect(await stateOf(ben, c)).toMatchObject({ mentionCount: 0 });
  });

  it('in a DM every unread message of the other person counts; @everyone is text there', async () => {
    await befriend(ann, stranger);
    const dm = await ann.rest.openDm({ userId: stranger.id });
    await send(stranger, dm.id, 'one');
    await send(stranger, dm.id, 'two');
    const three = await send(stranger, dm.id, '@everyone three');
    expect(three.mentionEveryone).toBeUndefined();
    expect(await stateOf(ann, dm.id)).toEqual({
      channelId: dm.id,
      lastReadId: null,
      lastMessageId: three.id,
      mentionCount: 3,
    });
    const mine = await send(ann, dm.id, 'answer');
    expect(await stateOf(ann, dm.id)).toMatchObject({ mentionCount: 3 });
    expect(await stateOf(stranger, dm.id)).toMatchObject({ lastMessageId: mine.id, mentionCount: 1 });
    expect(await ack(ann, dm.id, three.id)).toMatchObject({ lastReadId: three.id, mentionCount: 0 });
    // The other end of a DM is not you: others see nothing.
    expect((await refused(stateOf(ben, dm.id))).status).toBe(404);

    // A missed call is a record by the caller: the DM is unread for the callee, not the caller.
    const caller = await TestSocket.identified(server.wsUrl, ann.token);
    const callee = await TestSocket.identified(server.wsUrl, stranger.token);
    const callId = await startCall(caller.socket, stranger.id);
    expect((await caller.socket.request('call_end', { callId })).ok).toBe(true);
    const record = (await callee.socket.nextEvent('message_create', (d) => d.call !== undefined)).d;
    expect(record.call).toEqual({ outcome: 'missed', durationSeconds: 0 });
    expect(await stateOf(stranger, dm.id)).toMatchObject({ lastMessageId: record.id, mentionCount: 2 });
    expect(await stateOf(ann, dm.id)).toMatchObject({ lastMessageId: three.id, mentionCount: 0 });
    for (const x of [caller, callee]) x.socket.close();
  });

  it('counts at most MENTION_COUNT_CAP, reading no more rows for it', async () => {
    const c = await freshChannel();
    const first = await send(owner, c, 'start');
    // 1000 mentions of Ann and 1000 @everyone messages, written straight into the tables.
    const db = server.app.storage.db;
    await db.execute(sql`insert into messages (id, channel_id, author_id, content, mentions, mention_everyone)
      select ${first.id}::bigint + g, ${c}::bigint, ${owner.id}::bigint, 'hey',
        case when g % 2 = 0 then array[${ann.id}::bigint] else '{}' end,
        case when g % 2 = 1 then 'everyone' end
      from generate_series(1, 2000) g`);
    await db.execute(sql`insert into message_mentions (user_id, channel_id, message_id)
      select ${ann.id}::bigint, ${c}::bigint, id from messages
      where channel_id = ${c}::bigint and ${ann.id}::bigint = any (mentions)`);
    // The gates the send path keeps (the newest message naming Ann, the newest @everyone).
    await db.execute(sql`insert into mention_heads (user_id, channel_id, last_mention_id)
      select ${ann.id}::bigint, ${c}::bigint, max(message_id) from message_mentions
      where user_id = ${ann.id}::bigint and channel_id = ${c}::bigint`);
    await db.execute(sql`update channel_heads set last_everyone_id = ${first.id}::bigint + 1999
      where channel_id = ${c}::bigint`);
    expect(MENTION_COUNT_CAP).toBe(100);
    expect(await stateOf(ann, c)).toMatchObject({ mentionCount: 100 });
    expect(await stateOf(ben, c)).toMatchObject({ mentionCount: 100 });
    const { ready } = await TestSocket.identified(server.wsUrl, ann.token);
    expect(ready.readStates.find((s) => s.channelId === c)).toMatchObject({ mentionCount: 100 });
    // Read up to the 1950th: 50 left, 25 of each kind.
    const mark = (BigInt(first.id) + 1950n).toString();
    expect(await ack(ann, c, mark)).toMatchObject({ lastReadId: mark, mentionCount: 50 });
    expect(await ack(ann, c, MAX_ID)).toMatchObject({ mentionCount: 0 });
  });
});

describe('ack', () => {
  it('never moves back, clamps a future id to the newest message, stores nothing for an empty channel', async () => {
    const c = await freshChannel();
    expect(await ack(ann, c, MAX_ID)).toEqual({
      channelId: c,
      lastReadId: null,
      lastMessageId: null,
      mentionCount: 0,
    });
    expect(
      await rowCount(sql`select count(*)::int as n from read_states where channel_id = ${c}::bigint`),
    ).toBe(0);
    const one = await send(owner, c, 'one');
    const two = await send(owner, c, '@ann two');
    expect(await ack(ann, c, MAX_ID)).toEqual({
      channelId: c,
      lastReadId: two.id,
      lastMessageId: two.id,
      mentionCount: 0,
    });
    expect(await ack(ann, c, one.id)).toMatchObject({ lastReadId: two.id, mentionCount: 0 });
    // Her own newest is the newest: the mark goes there, and nothing is unread.
    const mine = await send(ann, c, 'three');
    expect(await ack(ann, c, MAX_ID)).toMatchObject({ lastReadId: mine.id, lastMessageId: two.id });
  });

  it('over the gateway: the reply, and every session of the user hears read_state_update', async () => {
    const c = await freshChannel();
    const m = await send(owner, c, '@ann ping');
    const a1 = await TestSocket.identified(server.wsUrl, ann.token);
    const a2 = await TestSocket.identified(server.wsUrl, ann.token);
    const b = await TestSocket.identified(server.wsUrl, ben.token);
    expect(a1.ready.readStates.find((s) => s.channelId === c)).toEqual({
      channelId: c,
      lastReadId: null,
      lastMessageId: m.id,
      mentionCount: 1,
    });
    const reply = await a1.socket.request('ack', { channelId: c, messageId: m.id });
    const expected = { channelId: c, lastReadId: m.id, lastMessageId: m.id, mentionCount: 0 };
    expect(reply).toMatchObject({ ok: true, d: expected });
    expect((await a2.socket.nextEvent('read_state_update')).d).toEqual(expected);
    expect((await a1.socket.nextEvent('read_state_update')).d).toEqual(expected);
    // An ack that moves nothing tells no one; nor does anyone else hear of Ann's.
    const again = await a1.socket.request('ack', { channelId: c, messageId: m.id });
    expect(again).toMatchObject({ ok: true, d: expected });
    await settled(a2.socket, b.socket);
    expect(a2.socket.events('read_state_update')).toHaveLength(1);
    expect(b.socket.events('read_state_update')).toHaveLength(0);
    // A new identify: read, so not listed.
    const a3 = await TestSocket.identified(server.wsUrl, ann.token);
    expect(a3.ready.readStates.find((s) => s.channelId === c)).toBeUndefined();
    for (const x of [a1, a2, a3, b]) x.socket.close();
  });

  it('identifies at the same moment each get their own read states (one statement for all)', async () => {
    const c = await freshChannel();
    const m = await send(owner, c, '@ann look');
    const [a, b, o] = await Promise.all([
      TestSocket.identified(server.wsUrl, ann.token),
      TestSocket.identified(server.wsUrl, ben.token),
      TestSocket.identified(server.wsUrl, owner.token),
    ]);
    const of = (x: typeof a) => x.ready.readStates.find((s) => s.channelId === c);
    expect(of(a)).toEqual({ channelId: c, lastReadId: null, lastMessageId: m.id, mentionCount: 1 });
    expect(of(b)).toEqual({ channelId: c, lastReadId: null, lastMessageId: m.id, mentionCount: 0 });
    // The owner wrote it: nothing unread there.
    expect(of(o)).toBeUndefined();
    for (const x of [a, b, o]) x.socket.close();
  });

  it('a session that resumes gets the ack it missed replayed', async () => {
    const c = await freshChannel();
    const m = await send(owner, c, '@ann while away');
    const tab = await TestSocket.identified(server.wsUrl, ann.token);
    await settled(tab.socket);
    const seq = Math.max(0, ...tab.socket.frames.map((f) => f.seq ?? 0));
    const detached = new Promise<void>((resolve) => {
      const stop = server.app.gateway.watchSessions((change) => {
        if (change.userId !== BigInt(ann.id) || change.reason !== 'detached') return;
        stop();
        resolve();
      });
    });
    tab.socket.ws.terminate();
    await detached;
    const state = await ack(ann, c, m.id);
    const back = await TestSocket.open(server.wsUrl);
    back.send({ op: 'resume', d: { token: ann.token, sessionId: tab.ready.sessionId, seq } });
    await back.next((f) => f.op === 'resumed');
    expect(back.payloads('read_state_update')).toEqual([state]);
    back.close();
  });

  it('refuses a stranger (404), a voice channel (400), and a bad id (400)', async () => {
    const c = await freshChannel();
    const m = await send(owner, c, 'hi');
    for (const call of [() => ack(stranger, c, m.id), () => stateOf(stranger, c)]) {
      expect((await refused(call())).status).toBe(404);
    }
    const voice = voiceChannelOf(guild);
    for (const call of [() => ack(ann, voice, m.id), () => stateOf(ann, voice)]) {
      const err = await refused(call());
      expect([err.status, err.code]).toEqual([400, 'invalid_input']);
    }
    expect((await refused(ack(ann, '123', m.id))).status).toBe(404);
    const s = await TestSocket.identified(server.wsUrl, stranger.token);
    expect(await s.socket.request('ack', { channelId: c, messageId: m.id })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
    expect(await s.socket.request('ack', { channelId: c, messageId: 'x' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input' },
    });
    s.socket.close();
  });
});

describe('notification overrides', () => {
  it('sets a mode, mutes on the clock, unmutes, and forgets an override left empty', async () => {
    const tab = await TestSocket.identified(server.wsUrl, ann.token);
    const set = await ann.rest.updateNotificationOverride({ targetId: guild.id, mode: 'mentions' });
    expect(set).toEqual({ targetId: guild.id, mode: 'mentions', muted: false, mutedUntil: null });
    expect((await tab.socket.nextEvent('notification_override_update')).d).toEqual(set);
    expect(await ann.rest.listNotificationOverrides()).toEqual([set]);
    // Moving the clock ends sockets that stay silent (keepalive): this one's part is done.
    tab.socket.close();

    const muted = await ann.rest.updateNotificationOverride({ targetId: guild.id, mute: '15m' });
    expect(muted).toEqual({
      targetId: guild.id,
      mode: 'mentions',
      muted: true,
      mutedUntil: new Date(clock.now() + 15 * 60_000).toISOString(),
    });
    expect(await ann.rest.listNotificationOverrides()).toEqual([muted]);
    clock.advance(15 * 60_000 + 1);
    expect(await ann.rest.listNotificationOverrides()).toEqual([set]);

    const forever = await ann.rest.updateNotificationOverride({
      targetId: guild.id,
      mode: null,
      mute: 'forever',
    });
    expect(forever).toEqual({ targetId: guild.id, mode: null, muted: true, mutedUntil: null });
    // Far past any timed mute (sessions last longer than this).
    clock.advance(2 * 24 * 60 * 60_000);
    const later = await TestSocket.identified(server.wsUrl, ann.token);
    expect(later.ready.notificationOverrides).toEqual([forever]);

    const gone = await ann.rest.updateNotificationOverride({ targetId: guild.id, mute: null });
    expect(gone).toEqual({ targetId: guild.id, mode: null, muted: false, mutedUntil: null });
    expect((await later.socket.nextEvent('notification_override_update')).d).toEqual(gone);
    expect(await ann.rest.listNotificationOverrides()).toEqual([]);
    expect(
      await rowCount(
        sql`select count(*)::int as n from notification_overrides where user_id = ${ann.id}::bigint`,
      ),
    ).toBe(0);
    later.socket.close();
  });

  it('takes a server of mine, a text channel of one, a DM of mine; 404 for others, 400 for voice', async () => {
    const c = textChannelOf(guild);
    const channel = await ben.rest.updateNotificationOverride({ targetId: c, mode: 'none' });
    expect(channel).toMatchObject({ targetId: c, mode: 'none' });
    await befriend(ben, owner);
    const dm = await ben.rest.openDm({ userId: owner.id });
    expect(await ben.rest.updateNotificationOverride({ targetId: dm.id, mute: '1h' })).toMatchObject({
      targetId: dm.id,
      muted: true,
    });
    expect((await ben.rest.listNotificationOverrides()).map((o) => o.targetId).sort()).toEqual(
      [c, dm.id].sort(),
    );

    const other = await stranger.rest.createServer({ name: 'Elsewhere' });
    for (const targetId of [other.id, textChannelOf(other), dm.id, '42']) {
      const err = await refused(ann.rest.updateNotificationOverride({ targetId, mode: 'all' }));
      expect([err.status, err.code], targetId).toEqual([404, 'not_found']);
    }
    const err = await refused(
      ben.rest.updateNotificationOverride({ targetId: voiceChannelOf(guild), mode: 'all' }),
    );
    expect([err.status, err.code]).toEqual([400, 'invalid_input']);
    await ben.rest.updateNotificationOverride({ targetId: c, mode: null });
    await ben.rest.updateNotificationOverride({ targetId: dm.id, mute: null });
    expect(await ben.rest.listNotificationOverrides()).toEqual([]);
  });

  it('leaving a server forgets its overrides and read states; deletions forget theirs', async () => {
    const [cara] = await people(server.url, ['cara'], owner);
    const place = await serverWith(owner, 'Passing', [cara]);
    const c = textChannelOf(place);
    const m = await send(owner, c, 'hello');
    await ack(cara, c, m.id);
    await cara.rest.updateNotificationOverride({ targetId: place.id, mode: 'none' });
    await cara.rest.updateNotificationOverride({ targetId: c, mute: 'forever' });
    await cara.rest.removeMember({ serverId: place.id, userId: cara.id });
    const mine = sql`select (select count(*) from read_states where user_id = ${cara.id}::bigint)
      + (select count(*) from notification_overrides where user_id = ${cara.id}::bigint) as n`;
    expect(await rowCount(mine)).toBe(0);
    const { code } = await owner.rest.createServerInvite({ serverId: place.id });
    await cara.rest.joinServer({ inviteCode: code });
    expect(await stateOf(cara, c)).toMatchObject({ lastReadId: null, lastMessageId: m.id });
    expect(await cara.rest.listNotificationOverrides()).toEqual([]);

    // A channel deleted, then the server: everyone's overrides of them go.
    const extra = await owner.rest.createChannel({ serverId: place.id, name: 'extra', type: 'text' });
    await cara.rest.updateNotificationOverride({ targetId: extra.id, mode: 'all' });
    await cara.rest.updateNotificationOverride({ targetId: c, mode: 'all' });
    await cara.rest.updateNotificationOverride({ targetId: place.id, mode: 'all' });
    await owner.rest.deleteChannel({ channelId: extra.id });
    const of = (id: string) =>
      sql`select count(*) as n from notification_overrides where target_id = ${id}::bigint`;
    expect(await rowCount(of(extra.id))).toBe(0);
    expect(await rowCount(of(c))).toBe(1);
    await owner.rest.deleteServer({ serverId: place.id });
    expect(await rowCount(of(c))).toBe(0);
    expect(await rowCount(of(place.id))).toBe(0);
  });

  it('an account deleted forgets its read states, overrides and mentions', async () => {
    const [dora] = await people(server.url, ['dora'], owner);
    const place = await serverWith(owner, 'Brief', [dora]);
    const c = textChannelOf(place);
    await send(owner, c, '@dora hi');
    const m = await send(owner, c, 'there');
    await ack(dora, c, m.id);
    await send(owner, c, '@dora again');
    await dora.rest.updateNotificationOverride({ targetId: c, mode: 'mentions' });
    await dora.rest.deleteAccount({ password: PASSWORD, ownedServers: [] });
    const rows = sql`select (select count(*) from read_states where user_id = ${dora.id}::bigint)
      + (select count(*) from notification_overrides where user_id = ${dora.id}::bigint)
      + (select count(*) from message_mentions where user_id = ${dora.id}::bigint) as n`;
    expect(await rowCount(rows)).toBe(0);
  });
});
