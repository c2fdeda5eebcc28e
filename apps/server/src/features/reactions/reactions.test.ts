import { RestClient } from '@decentra/client';
import { MAX_REACTION_EMOJI, type Message, type Server } from '@decentra/protocol';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settled } from '../../../test/barriers.js';
import { api } from '../../../test/http.js';
import { befriend, type Person, people, refused, serverWith, textChannelOf } from '../../../test/people.js';
import { startTestServer, type TestServer } from '../../../test/test-server.js';
import { TestSocket } from '../../../test/ws-client.js';
import { executeRows } from '../../storage/db.js';

let server: TestServer;
let owner: Person;
let ann: Person;
let ben: Person;
let stranger: Person;
let guild: Server;
let channel: string;
let elsewhere: string;

beforeAll(async () => {
  server = await startTestServer({ sendLimits: { points: 1000, windowSeconds: 5 } });
  [owner, ann, ben, stranger] = await people(server.url, ['owner', 'ann', 'ben', 'stranger']);
  guild = await serverWith(owner, 'Reacting', [ann, ben]);
  channel = textChannelOf(guild);
  // A server ann is not in: its channels do not exist for her.
  elsewhere = textChannelOf(await serverWith(stranger, 'Elsewhere'));
});
afterAll(() => server.close());

const say = (who: Person, content = 'react to me', channelId = channel): Promise<Message> =>
  who.rest.sendMessage({ channelId, content });
const react = (who: Person, m: Message, emoji: string) =>
  who.rest.addReaction({ channelId: m.channelId, messageId: m.id, emoji });
const unreact = (who: Person, m: Message, emoji: string) =>
  who.rest.removeReaction({ channelId: m.channelId, messageId: m.id, emoji });
async function reactionsSeenBy(who: Person, m: Message) {
  const page = await who.rest.listMessages({
    channelId: m.channelId,
    after: (BigInt(m.id) - 1n).toString(),
    limit: 1,
  });
  return page[0]?.reactions;
}

describe('adding and removing', () => {
  it('counts per emoji with `me` per reader, in first-use order; both ways idempotent', async () => {
    const m = await say(owner);
    await react(ann, m, '👍');
    await react(ben, m, '👍');
    await react(ben, m, '🎉');
    await react(ann, m, '👍'); // again: nothing changes
    expect(await reactionsSeenBy(ann, m)).toEqual([
      { emoji: '👍', count: 2, me: true },
      { emoji: '🎉', count: 1, me: false },
    ]);
    expect(await reactionsSeenBy(ben, m)).toEqual([
      { emoji: '👍', count: 2, me: true },
      { emoji: '🎉', count: 1, me: true },
    ]);
    expect(await reactionsSeenBy(owner, m)).toEqual([
      { emoji: '👍', count: 2, me: false },
      { emoji: '🎉', count: 1, me: false },
    ]);
    await unreact(ann, m, '👍');
    await unreact(ann, m, '👍'); // one I no longer have: a no-op 204
    await unreact(ann, m, '🎉'); // one I never had
    await unreact(ben, m, '🎉');
    expect(await reactionsSeenBy(owner, m)).toEqual([{ emoji: '👍', count: 1, me: false }]);
    // Messages without reactions carry an empty list in history.
    const plain = await say(owner, 'plain');
    expect(await reactionsSeenBy(owner, plain)).toEqual([]);
  });

  it('takes skin tones, flags, keycaps and ZWJ sequences, and refuses anything but one emoji', async () => {
    const m = await say(owner);
    for (const emoji of ['👍🏽', '🇫🇷', '1️⃣', '👨‍👩‍👧', '❤️']) await react(ann, m, emoji);
    expect((await reactionsSeenBy(ann, m))?.map((r) => r.emoji)).toEqual(['👍🏽', '🇫🇷', '1️⃣', '👨‍👩‍👧', '❤️']);
    for (const emoji of ['a', '👍👍', '👍 ', 'smile', ':smile:', '❤']) {
      const err = await refused(react(ann, m, emoji));
      expect([err.status, err.code]).toEqual([400, 'invalid_input']);
    }
    // Raw: an encoded path that is not one emoji, and bad percent-encoding, are 400 too.
    for (const emoji of ['%F0%9F', '%25', 'x%00']) {
      const path = `/api/channels/${channel}/messages/${m.id}/reactions/${emoji}/@me`;
      const res = await api(server.url).put(path, undefined, { token: ann.token });
      expect(res.status).toBe(400);
    }
    expect(await reactionsSeenBy(ann, m)).toHaveLength(5);
  });

  it('lists who reacted with one emoji, in pages', async () => {
    const m = await say(owner);
    for (const who of [owner, ann, ben]) await react(who, m, '🔥');
    const all = await ann.rest.listReactors({ channelId: channel, messageId: m.id, emoji: '🔥' });
    expect(all.map((u) => u.username).sort()).toEqual(['ann', 'ben', 'owner']);
    const first = await ann.rest.listReactors({ channelId: channel, messageId: m.id, emoji: '🔥', limit: 2 });
    const rest = await ann.rest.listReactors({
      channelId: channel,
      messageId: m.id,
      emoji: '🔥',
      after: first[1]?.id,
    });
    expect([...first, ...rest]).toEqual(all);
    expect(await ann.rest.listReactors({ channelId: channel, messageId: m.id, emoji: '🎈' })).toEqual([]);
  });

  it('a deleted message takes its reactions with it', async () => {
    const m = await say(ann);
    await react(ben, m, '👋');
    await ann.rest.deleteMessage({ channelId: channel, messageId: m.id });
    const err = await refused(react(ben, m, '👋'));
    expect(err.status).toBe(404);
    const rows = await executeRows(
      server.app.storage.db,
      sql`select 1 from message_reactions where message_id = ${m.id}::bigint`,
    );
    expect(rows).toHaveLength(0);
  });
});

describe('the limit of 20 different emoji', () => {
  const EMOJI = [
    '😀',
    '😁',
    '😂',
    '🤣',
    '😃',
    '😄',
    '😅',
    '😆',
    '😉',
    '😊',
    '😋',
    '😎',
    '😍',
    '😘',
    '🥰',
    '😗',
    '😙',
    '🥲',
    '😚',
    '🙂',
    '🤗',
    '🤩',
  ];

  it('refuses a 21st emoji (forbidden, reason reaction_limit), while more people may join one of the 20', async () => {
    const m = await say(owner);
    for (const emoji of EMOJI.slice(0, MAX_REACTION_EMOJI)) await react(owner, m, emoji);
    const err = await refused(react(ann, m, EMOJI[20] ?? ''));
    expect([err.status, err.code, err.reason]).toEqual([403, 'forbidden', 'reaction_limit']);
    await react(ann, m, EMOJI[0] ?? '');
    const seen = await reactionsSeenBy(ann, m);
    expect(seen).toHaveLength(MAX_REACTION_EMOJI);
    expect(seen?.[0]).toEqual({ emoji: EMOJI[0], count: 2, me: true });
    // One taken back frees a place.
    await unreact(owner, m, EMOJI[19] ?? '');
    await react(ann, m, EMOJI[20] ?? '');
    expect(await reactionsSeenBy(ann, m)).toHaveLength(MAX_REACTION_EMOJI);
  });
});

describe('who may react', () => {
  it('a non-member and a member of another server get 404 for a channel they cannot read; nothing is stored', async () => {
    const m = await say(owner);
    for (const call of [
      () => react(stranger, m, '👍'),
      () => unreact(stranger, m, '👍'),
      () => stranger.rest.listReactors({ channelId: channel, messageId: m.id, emoji: '👍' }),
      // A channel ann cannot read, with a real message id.
      () => ann.rest.addReaction({ channelId: elsewhere, messageId: m.id, emoji: '👍' }),
    ]) {
      expect((await refused(call())).status).toBe(404);
    }
    // ann's own channel with a message of the channel she cannot read.
    const theirs = await say(stranger, 'not yours', elsewhere);
    expect(
      (await refused(ann.rest.addReaction({ channelId: channel, messageId: theirs.id, emoji: '👍' }))).status,
    ).toBe(404);
    expect(await reactionsSeenBy(owner, m)).toEqual([]);
  });

  it('in a DM: friends react; after unfriending adding is refused, taking back and reading still work', async () => {
    const [dana, eli] = await people(server.url, ['dana', 'eli'], owner);
    await befriend(dana, eli);
    const dm = await dana.rest.openDm({ userId: eli.id });
    const m = await say(dana, 'hi eli', dm.id);
    const e = await TestSocket.identified(server.wsUrl, eli.token);
    const d = await TestSocket.identified(server.wsUrl, dana.token);
    const s = await TestSocket.identified(server.wsUrl, stranger.token);
    await react(eli, m, '😊');
    const event = { channelId: dm.id, messageId: m.id, emoji: '😊', userId: eli.id };
    expect((await d.socket.nextEvent('reaction_add')).d).toEqual(event);
    expect((await e.socket.nextEvent('reaction_add')).d).toEqual(event);
    expect((await refused(react(stranger, m, '😊'))).status).toBe(404);

    await dana.rest.removeFriend({ userId: eli.id });
    const err = await refused(react(dana, m, '😢'));
    expect([err.status, err.code]).toEqual([403, 'forbidden']);
    await unreact(eli, m, '😊');
    expect((await d.socket.nextEvent('reaction_remove')).d).toEqual(event);
    expect(await reactionsSeenBy(eli, m)).toEqual([]);
    await settled(s.socket);
    expect(s.socket.events('reaction_add')).toHaveLength(0);
    for (const x of [d, e, s]) x.socket.close();
  });
});

describe('rate limit', () => {
  it('30 changes per 10 s per person, then 429 with Retry-After; nothing changed by the refused one', async () => {
    const m = await say(owner);
    const [fidget] = await people(server.url, ['fidget'], owner);
    await fidget.rest.joinServer({
      inviteCode: (await owner.rest.createServerInvite({ serverId: guild.id })).code,
    });
    for (let i = 0; i < 30; i++) await (i % 2 === 0 ? react(fidget, m, '🔁') : unreact(fidget, m, '🔁'));
    const err = await refused(react(fidget, m, '🔁'));
    expect([err.status, err.code]).toEqual([429, 'rate_limited']);
    expect(await reactionsSeenBy(owner, m)).toEqual([]);
  });
});

describe('events', () => {
  it('reach every member (the reactor included), never strangers, and not again for a repeat or a no-op', async () => {
    const m = await say(owner);
    const a = await TestSocket.identified(server.wsUrl, ann.token);
    const b = await TestSocket.identified(server.wsUrl, ben.token);
    const s = await TestSocket.identified(server.wsUrl, stranger.token);
    await react(ann, m, '🚀');
    const d = { channelId: channel, messageId: m.id, emoji: '🚀', userId: ann.id };
    expect((await a.socket.nextEvent('reaction_add')).d).toEqual(d);
    expect((await b.socket.nextEvent('reaction_add')).d).toEqual(d);
    await react(ann, m, '🚀');
    await unreact(ben, m, '🚀');
    await unreact(ann, m, '🚀');
    expect((await b.socket.nextEvent('reaction_remove')).d).toEqual(d);
    await settled(a.socket, b.socket, s.socket);
    expect(b.socket.events('reaction_add')).toHaveLength(1);
    expect(b.socket.events('reaction_remove')).toHaveLength(1);
    expect(s.socket.events('reaction_add')).toHaveLength(0);
    expect(s.socket.events('reaction_remove')).toHaveLength(0);
    for (const x of [a, b, s]) x.socket.close();
  });
});

describe('at once', () => {
  /** Members with a login each, straight into the tables (50 signups would spend minutes on argon2). */
  async function crowd(prefix: string, n: number): Promise<RestClient[]> {
    const db = server.app.storage.db;
    const clients: RestClient[] = [];
    for (let i = 0; i < n; i++) {
      const id = String(9_000_000 + Math.floor(Math.random() * 1_000_000) * 100 + i);
      const token = `${prefix}-token-${id}`;
      await db.execute(
        sql`insert into users (id, username, password_hash) values (${id}::bigint, ${`${prefix}${id}`}, 'x')`,
      );
      await db.execute(
        sql`insert into sessions (id, user_id, token_hash, expires_at)
            values (${id}::bigint, ${id}::bigint, sha256(convert_to(${token}, 'UTF8')), now() + interval '1 day')`,
      );
      await db.execute(
        sql`insert into server_members (server_id, user_id) values (${guild.id}::bigint, ${id}::bigint)`,
      );
      clients.push(new RestClient({ baseUrl: server.url, token, validate: true }));
    }
    return clients;
  }

  it('50 people reacting with one emoji at the same time count exactly 50', async () => {
    const m = await say(owner);
    const many = await crowd('fifty', 50);
    await Promise.all(
      many.map((rest) => rest.addReaction({ channelId: channel, messageId: m.id, emoji: '💯' })),
    );
    expect(await reactionsSeenBy(owner, m)).toEqual([{ emoji: '💯', count: 50, me: false }]);
    const who = await owner.rest.listReactors({
      channelId: channel,
      messageId: m.id,
      emoji: '💯',
      limit: 100,
    });
    expect(who).toHaveLength(50);
  });

  it('30 different emoji added at the same time never make more than 20', async () => {
    const m = await say(owner);
    const many = await crowd('burst', 30);
    const emoji = [...'🍎🍊🍋🍌🍉🍇🍓🫐🍈🍒🍑🥭🍍🥥🥝🍅🍆🥑🥦🥬🥒🌶🫑🌽🥕🫒🧄🧅🥔🍠'].filter((e) => e !== '🌶');
    emoji.push('🍞');
    const results = await Promise.allSettled(
      many.map((rest, i) =>
        rest.addReaction({ channelId: channel, messageId: m.id, emoji: emoji[i] ?? '🍞' }),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(MAX_REACTION_EMOJI);
    expect(await reactionsSeenBy(owner, m)).toHaveLength(MAX_REACTION_EMOJI);
  });
});
