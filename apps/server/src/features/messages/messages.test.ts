import type { HistoryQuery, Message, OpReply, Server } from '@decentra/protocol';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { settled } from '../../../test/barriers.js';
import { api } from '../../../test/http.js';
import {
  type Person,
  people,
  refused,
  serverWith,
  textChannelOf,
  voiceChannelOf,
} from '../../../test/people.js';
import { startTestServer, type TestServer } from '../../../test/test-server.js';
import { TestSocket } from '../../../test/ws-client.js';

let server: TestServer;
let owner: Person;
let ann: Person;
let ben: Person;
let stranger: Person;
let guild: Server;
let channel: string;

beforeAll(async () => {
  server = await startTestServer({ sendLimits: { points: 1000, windowSeconds: 5 } });
  [owner, ann, ben, stranger] = await people(server.url, ['owner', 'ann', 'ben', 'stranger']);
  guild = await serverWith(owner, 'Chat', [ann, ben]);
  channel = textChannelOf(guild);
});
afterAll(() => server.close());

const history = (user: Person, channelId: string, query: Partial<HistoryQuery> = {}): Promise<Message[]> =>
  user.rest.listMessages({ channelId, ...query });

async function freshChannel(): Promise<string> {
  const name = `c${Math.random()}`.slice(0, 20);
  return (await owner.rest.createChannel({ serverId: guild.id, name, type: 'text' })).id;
}

describe('sending', () => {
  it('stores the message, then every member socket hears it (all sockets of a user), strangers nothing', async () => {
    const a1 = await TestSocket.identified(server.wsUrl, ann.token);
    const a2 = await TestSocket.identified(server.wsUrl, ann.token);
    const b = await TestSocket.identified(server.wsUrl, ben.token);
    const s = await TestSocket.identified(server.wsUrl, stranger.token);
    const sent = await owner.rest.sendMessage({ channelId: channel, content: '  hello everyone  ' });
    expect(sent).toMatchObject({
      channelId: channel,
      author: { id: owner.id, username: 'owner' },
      content: 'hello everyone',
      mentions: [],
      editedAt: null,
    });
    for (const sock of [a1.socket, a2.socket, b.socket]) {
      expect((await sock.nextEvent('message_create')).d).toEqual(sent);
    }
    // Stored before anyone was told: the history already holds it when the event arrives.
    expect((await history(ann, channel)).map((m) => m.id)).toContain(sent.id);
    // The event went out before the send was answered: had it gone to the stranger, it is here now.
    await settled(s.socket);
    expect(s.socket.events('message_create')).toHaveLength(0);
    for (const x of [a1, a2, b, s]) x.socket.close();
  });

  it('works the same over the gateway op, with the message as the reply', async () => {
    const a = await TestSocket.identified(server.wsUrl, ann.token);
    const b = await TestSocket.identified(server.wsUrl, ben.token);
    const reply = await a.socket.request('send_message', {
      channelId: channel,
      content: 'via gateway',
      nonce: 'gw-1',
    });
    expect(reply.ok).toBe(true);
    const message = reply.d as OpReply<'send_message'>;
    expect(message).toMatchObject({ content: 'via gateway', nonce: 'gw-1', author: { id: ann.id } });
    expect((await b.socket.nextEvent('message_create')).d).toEqual(message);
    expect((await a.socket.nextEvent('message_create')).d).toEqual(message);
    for (const x of [a, b]) x.socket.close();
  });

  it('refuses over the gateway as over REST: bad content, no access', async () => {
    const a = await TestSocket.identified(server.wsUrl, ann.token);
    const bad = await a.socket.request('send_message', { channelId: channel, content: '   ', nonce: 'gw-2' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    const noAccess = await TestSocket.identified(server.wsUrl, stranger.token);
    const refusal = await noAccess.socket.request('send_message', {
      channelId: channel,
      content: 'hi',
      nonce: 'x',
    });
    expect(refusal).toMatchObject({ ok: false, error: { code: 'not_found' } });
    for (const x of [a, noAccess]) x.socket.close();
  });

  it('refuses empty, over-long and unknown-field bodies, changing nothing', async () => {
    const c = await freshChannel();
    for (const content of ['', ' \n ', 'x'.repeat(4001)]) {
      const err = await refused(owner.rest.sendMessage({ channelId: c, content }));
      expect([err.status, err.code]).toEqual([400, 'invalid_input']);
    }
    // Bodies the SDK's types would not let through: sent raw.
    for (const body of [{ content: 'hi', extra: 1 }, { content: 5 }]) {
      const res = await api(server.url).post<{ error: { code: string } }>(
        `/api/channels/${c}/messages`,
        body,
        {
          token: owner.token,
        },
      );
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('invalid_input');
    }
    expect(await history(owner, c)).toEqual([]);
    await owner.rest.sendMessage({ channelId: c, content: 'x'.repeat(4000) });
    expect(await history(owner, c)).toHaveLength(1);
  });

  it('refuses voice channels', async () => {
    const voice = voiceChannelOf(guild);
    expect((await refused(owner.rest.sendMessage({ channelId: voice, content: 'hello?' }))).status).toBe(400);
    expect(await history(owner, voice)).toEqual([]);
  });

  it('resolves @mentions of members only', async () => {
    const sent = await owner.rest.sendMessage({
      channelId: channel,
      content: 'hey @Ann and @BEN, not @stranger nor @nobody (mail a@b.c)',
    });
    expect([...sent.mentions].sort()).toEqual([ann.id, ben.id].sort());
  });
});

describe('nonce', () => {
  it('makes a resend return the first message, and nobody hears twice', async () => {
    const c = await freshChannel();
    const b = await TestSocket.identified(server.wsUrl, ben.token);
    const first = await ann.rest.sendMessage({ channelId: c, content: 'once', nonce: 'n-1' });
    const again = await ann.rest.sendMessage({ channelId: c, content: 'once (retry)', nonce: 'n-1' });
    expect(again).toEqual(first);
    await b.socket.nextEvent('message_create');
    // Both sends were answered, so whatever they sent Ben has left before this ping's answer.
    await settled(b.socket);
    expect(b.socket.payloads('message_create')).toEqual([first]);
    expect(await history(ann, c)).toHaveLength(1);
    // The same nonce from another author is theirs alone.
    expect((await ben.rest.sendMessage({ channelId: c, content: 'mine', nonce: 'n-1' })).author.id).toBe(
      ben.id,
    );
    b.socket.close();
  });

  it('holds under concurrent resends over REST and the gateway', async () => {
    const c = await freshChannel();
    const a = await TestSocket.identified(server.wsUrl, ann.token);
    const [viaGateway, ...viaRest] = await Promise.all([
      a.socket.request('send_message', { channelId: c, content: 'racing', nonce: 'n-race' }),
      ...Array.from({ length: 10 }, () =>
        ann.rest.sendMessage({ channelId: c, content: 'racing', nonce: 'n-race' }),
      ),
    ]);
    const ids = new Set([(viaGateway.d as OpReply<'send_message'>).id, ...viaRest.map((m) => m.id)]);
    expect(ids.size).toBe(1);
    expect(await history(ann, c)).toHaveLength(1);
    a.socket.close();
  });
});

describe('edit and delete', () => {
  it('only the author edits: not another member, not the server owner', async () => {
    const m = await ann.rest.sendMessage({ channelId: channel, content: 'mine alone' });
    for (const other of [ben, owner]) {
      const err = await refused(
        other.rest.editMessage({ channelId: channel, messageId: m.id, content: 'x' }),
      );
      expect(err.status, other.username).toBe(403);
    }
    const stored = (await history(ann, channel, { after: (BigInt(m.id) - 1n).toString(), limit: 1 }))[0];
    expect(stored).toEqual(m);
  });

  it('the author edits: editedAt set, mentions resolved again, message_update', async () => {
    const b = await TestSocket.identified(server.wsUrl, ben.token);
    const m = await ann.rest.sendMessage({ channelId: channel, content: 'typo' });
    const edited = await ann.rest.editMessage({ channelId: channel, messageId: m.id, content: 'fixed @ben' });
    expect(edited).toMatchObject({
      id: m.id,
      content: 'fixed @ben',
      mentions: [ben.id],
      createdAt: m.createdAt,
    });
    expect(edited.editedAt).not.toBeNull();
    expect((await b.socket.nextEvent('message_update')).d).toEqual(edited);
    b.socket.close();
  });

  it('the author or the server owner deletes (message_delete); other members cannot', async () => {
    const b = await TestSocket.identified(server.wsUrl, ben.token);
    const m1 = await ann.rest.sendMessage({ channelId: channel, content: 'delete me' });
    const m2 = await ann.rest.sendMessage({ channelId: channel, content: 'owner deletes me' });
    expect((await refused(ben.rest.deleteMessage({ channelId: channel, messageId: m1.id }))).status).toBe(
      403,
    );
    await ann.rest.deleteMessage({ channelId: channel, messageId: m1.id });
    expect((await b.socket.nextEvent('message_delete')).d).toEqual({ id: m1.id, channelId: channel });
    await owner.rest.deleteMessage({ channelId: channel, messageId: m2.id });
    expect((await b.socket.nextEvent('message_delete', (d) => d.id === m2.id)).d).toEqual({
      id: m2.id,
      channelId: channel,
    });
    expect((await refused(owner.rest.deleteMessage({ channelId: channel, messageId: m2.id }))).status).toBe(
      404,
    );
    const ids = (await history(ann, channel, { limit: 100 })).map((m) => m.id);
    expect(ids).not.toContain(m1.id);
    expect(ids).not.toContain(m2.id);
    b.socket.close();
  });

  it('a message id from another channel is not found', async () => {
    const other = await freshChannel();
    const m = await ann.rest.sendMessage({ channelId: channel, content: 'here' });
    expect(
      (await refused(ann.rest.editMessage({ channelId: other, messageId: m.id, content: 'x' }))).status,
    ).toBe(404);
    expect((await refused(ann.rest.deleteMessage({ channelId: other, messageId: m.id }))).status).toBe(404);
  });
});

describe('history', () => {
  it('is empty for a new channel and pages by before/after, oldest first within a page', async () => {
    const c = await freshChannel();
    expect(await history(ann, c)).toEqual([]);
    const sent: Message[] = [];
    for (let i = 0; i < 10; i++)
      sent.push(await (i % 2 ? ann : ben).rest.sendMessage({ channelId: c, content: `m${i}` }));
    const ids = sent.map((m) => m.id);
    const at = (i: number) => ids[i] as string;
    const contents = async (query: Partial<HistoryQuery>) =>
      (await history(ann, c, query)).map((m) => m.content);
    expect((await history(ann, c)).map((m) => m.id)).toEqual(ids);
    expect(await contents({ limit: 3 })).toEqual(['m7', 'm8', 'm9']);
    expect(await contents({ limit: 3, before: at(7) })).toEqual(['m4', 'm5', 'm6']);
    expect(await contents({ limit: 3, after: at(1) })).toEqual(['m2', 'm3', 'm4']);
    expect(await contents({ after: at(3), before: at(6) })).toEqual(['m4', 'm5']);
    // Edges: before the first id, after the last, and an exact multiple of the page size.
    expect(await history(ann, c, { before: at(0) })).toEqual([]);
    expect(await history(ann, c, { after: at(9) })).toEqual([]);
    const pageA = await history(ann, c, { limit: 5 });
    const pageB = await history(ann, c, { limit: 5, before: pageA[0]?.id });
    const pageC = await history(ann, c, { limit: 5, before: pageB[0]?.id });
    expect([...pageB, ...pageA].map((m) => m.id)).toEqual(ids);
    expect(pageC).toEqual([]);
  });

  it('keeps the order messages were sent in, from several senders at once', async () => {
    const c = await freshChannel();
    const a = await TestSocket.identified(server.wsUrl, ann.token);
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        a.socket.request('send_message', { channelId: c, content: `o${i}`, nonce: `ord-${i}` }),
      ),
    );
    const page = await history(ben, c);
    // One socket's frames are handled in order, so its messages are stored in order.
    expect(page.map((m) => m.content)).toEqual(Array.from({ length: 20 }, (_, i) => `o${i}`));
    const ids = page.map((m) => BigInt(m.id));
    expect([...ids].sort((x, y) => (x < y ? -1 : 1))).toEqual(ids);
    a.socket.close();
  });

  it('refuses bad cursors and limits', async () => {
    for (const query of [{ limit: 0 }, { limit: 101 }, { before: 'abc' }, { after: '-1' }]) {
      const err = await refused(history(ann, channel, query));
      expect(err.status, JSON.stringify(query)).toBe(400);
    }
    // A limit that is no number, and an unknown parameter: the SDK's types cannot send these.
    for (const q of ['?limit=abc', '?other=1']) {
      expect(
        (await api(server.url).get(`/api/channels/${channel}/messages${q}`, { token: ann.token })).status,
      ).toBe(400);
    }
  });

  it.runIf(process.env.TEST_ENGINE === 'postgres')('is served by the (channel_id, id) index', async () => {
    const db = server.app.storage.db;
    // A quiet channel (500 old messages) beside a busy one (30,000 newer): reading the quiet one's
    // latest page must go straight to its rows through (channel_id, id), not walk the busy ones.
    const quiet = BigInt(guild.id) + 500_000n;
    const busy = quiet + 1n;
    await db.execute(sql`insert into channels (id, server_id, type, name)
      values (${quiet}, ${BigInt(guild.id)}, 'text', 'quiet'), (${busy}, ${BigInt(guild.id)}, 'text', 'busy')`);
    await db.execute(sql`insert into messages (id, channel_id, author_id, content)
      select ${quiet + 1000n}::bigint + g, case when g <= 500 then ${quiet}::bigint else ${busy}::bigint end,
        ${BigInt(owner.id)}::bigint, 'bulk ' || g
      from generate_series(1, 30500) g`);
    await db.execute(sql`analyze messages`);
    const plan = (await db.execute(
      sql`explain select * from messages where channel_id = ${quiet} order by id desc limit 50`,
    )) as unknown as { rows: Array<{ 'QUERY PLAN': string }> };
    const text = plan.rows.map((r) => r['QUERY PLAN']).join('\n');
    expect(text, text).toContain('messages_channel_id_idx');
  });
});

describe('send rate limit', () => {
  const WINDOW_S = 60;
  let limited: TestServer;
  let sender: Person;
  let c: string;
  let firstSendAt: number;

  beforeAll(async () => {
    limited = await startTestServer({ sendLimits: { points: 3, windowSeconds: WINDOW_S } });
    [sender] = await people(limited.url, ['rl-owner']);
    c = textChannelOf(await sender.rest.createServer({ name: 'RL' }));
  });
  afterAll(() => limited.close());

  it('answers 429 with Retry-After over REST once the points are spent', async () => {
    firstSendAt = Date.now();
    for (let i = 0; i < 3; i++) await sender.rest.sendMessage({ channelId: c, content: `ok ${i}` });
    const over = await refused(sender.rest.sendMessage({ channelId: c, content: 'too many' }));
    expect([over.status, over.code]).toEqual([429, 'rate_limited']);
    expect(over.retryAfter).toBeGreaterThan(0);
    expect(over.retryAfter).toBeLessThanOrEqual(WINDOW_S);
  });

  it('answers rate_limited on the gateway, never a silent drop', async () => {
    const { socket } = await TestSocket.identified(limited.wsUrl, sender.token);
    const reply = await socket.request('send_message', { channelId: c, content: 'too many', nonce: 'rl' });
    expect(reply).toMatchObject({ ok: false, error: { code: 'rate_limited' } });
    socket.close();
  });

  it('stores none of the refused sends', async () => {
    expect((await sender.rest.listMessages({ channelId: c })).map((m) => m.content)).toEqual([
      'ok 0',
      'ok 1',
      'ok 2',
    ]);
  });

  it('lets the sender go on once the window is over, not before', async () => {
    // The limiter (rate-limiter-flexible's memory store) reads Date.now: move only that.
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(firstSendAt + WINDOW_S * 1000 - 1);
      expect((await refused(sender.rest.sendMessage({ channelId: c, content: 'still early' }))).status).toBe(
        429,
      );
      vi.setSystemTime(Date.now() + WINDOW_S * 1000);
      expect((await sender.rest.sendMessage({ channelId: c, content: 'next window' })).content).toBe(
        'next window',
      );
    } finally {
      vi.useRealTimers();
    }
  });
});
