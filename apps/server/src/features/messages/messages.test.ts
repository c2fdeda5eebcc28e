import type { Message, Server } from '@decentra/protocol';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  joinServer,
  makeServer,
  makeUsers,
  send,
  type TestUser,
  textChannel,
} from '../../../test/factories.js';
import { type Api, api } from '../../../test/http.js';
import { startTestServer, type TestServer } from '../../../test/test-server.js';
import { TestSocket } from '../../../test/ws-client.js';

interface ErrorResponse {
  error: { code: string; message: string };
}

let server: TestServer;
let http: Api;
let owner: TestUser;
let ann: TestUser;
let ben: TestUser;
let stranger: TestUser;
let guild: Server;
let channel: string;

beforeAll(async () => {
  server = await startTestServer({ sendLimits: { points: 1000, windowSeconds: 5 } });
  http = api(server.url);
  [owner, ann, ben, stranger] = await makeUsers(http, ['owner', 'ann', 'ben', 'stranger']);
  guild = await makeServer(http, owner, 'Chat');
  await joinServer(http, guild, owner, [ann, ben]);
  channel = textChannel(guild);
});
afterAll(() => server.close());

async function history(user: TestUser, channelId: string, query = ''): Promise<Message[]> {
  const res = await http.get<Message[]>(`/api/channels/${channelId}/messages${query}`, { token: user.token });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

async function freshChannel(): Promise<string> {
  const res = await http.post<{ id: string }>(
    `/api/servers/${guild.id}/channels`,
    { name: `c${Math.random()}`.slice(0, 20), type: 'text' },
    { token: owner.token },
  );
  return res.body.id;
}

describe('sending', () => {
  it('stores the message, then every member socket hears it (all sockets of a user), strangers nothing', async () => {
    const a1 = await TestSocket.identified(server.wsUrl, ann.token);
    const a2 = await TestSocket.identified(server.wsUrl, ann.token);
    const b = await TestSocket.identified(server.wsUrl, ben.token);
    const s = await TestSocket.identified(server.wsUrl, stranger.token);
    const res = await send(http, owner, channel, '  hello everyone  ');
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      channelId: channel,
      author: { id: owner.id, username: 'owner' },
      content: 'hello everyone',
      mentions: [],
      editedAt: null,
    });
    for (const sock of [a1.socket, a2.socket, b.socket]) {
      const event = await sock.next((f) => f.t === 'message_create');
      expect(event.d).toEqual(res.body);
    }
    // Stored before anyone was told: the history already holds it when the event arrives.
    expect((await history(ann, channel)).map((m) => m.id)).toContain(res.body.id);
    await new Promise((r) => setTimeout(r, 100));
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
    const message = reply.d as Message;
    expect(message).toMatchObject({ content: 'via gateway', nonce: 'gw-1', author: { id: ann.id } });
    expect((await b.socket.next((f) => f.t === 'message_create')).d).toEqual(message);
    expect((await a.socket.next((f) => f.t === 'message_create')).d).toEqual(message);
    const bad = await a.socket.request('send_message', { channelId: channel, content: '   ', nonce: 'gw-2' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    const noAccess = await TestSocket.identified(server.wsUrl, stranger.token);
    const refused = await noAccess.socket.request('send_message', {
      channelId: channel,
      content: 'hi',
      nonce: 'x',
    });
    expect(refused).toMatchObject({ ok: false, error: { code: 'not_found' } });
    for (const x of [a, b, noAccess]) x.socket.close();
  });

  it('refuses empty, over-long and unknown-field bodies, changing nothing', async () => {
    const c = await freshChannel();
    for (const body of [
      { content: '' },
      { content: ' \n ' },
      { content: 'x'.repeat(4001) },
      { content: 'hi', extra: 1 },
      { content: 5 },
    ]) {
      const res = await http.post<ErrorResponse>(`/api/channels/${c}/messages`, body, { token: owner.token });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('invalid_input');
    }
    expect((await send(http, owner, c, 'x'.repeat(4000))).status).toBe(201);
    expect(await history(owner, c)).toHaveLength(1);
  });

  it('refuses voice channels', async () => {
    const voice = guild.channels.find((c) => c.type === 'voice')?.id as string;
    const res = await send(http, owner, voice, 'hello?');
    expect(res.status).toBe(400);
    expect(await history(owner, voice)).toEqual([]);
  });

  it('resolves @mentions of members only', async () => {
    const res = await send(http, owner, channel, 'hey @Ann and @BEN, not @stranger nor @nobody (mail a@b.c)');
    expect([...res.body.mentions].sort()).toEqual([ann.id, ben.id].sort());
  });
});

describe('nonce', () => {
  it('makes a resend return the first message, and nobody hears twice', async () => {
    const c = await freshChannel();
    const b = await TestSocket.identified(server.wsUrl, ben.token);
    const first = await send(http, ann, c, 'once', 'n-1');
    const again = await send(http, ann, c, 'once (retry)', 'n-1');
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    await b.socket.next((f) => f.t === 'message_create');
    await new Promise((r) => setTimeout(r, 100));
    expect(b.socket.events('message_create')).toHaveLength(1);
    expect(await history(ann, c)).toHaveLength(1);
    // The same nonce from another author is theirs alone.
    expect((await send(http, ben, c, 'mine', 'n-1')).body.author.id).toBe(ben.id);
    b.socket.close();
  });

  it('holds under concurrent resends over REST and the gateway', async () => {
    const c = await freshChannel();
    const a = await TestSocket.identified(server.wsUrl, ann.token);
    const results = await Promise.all([
      ...Array.from({ length: 10 }, () => send(http, ann, c, 'racing', 'n-race')),
      a.socket.request('send_message', { channelId: c, content: 'racing', nonce: 'n-race' }),
    ]);
    const ids = new Set(results.map((r) => ('status' in r ? r.body.id : (r.d as Message).id)));
    expect(ids.size).toBe(1);
    expect(await history(ann, c)).toHaveLength(1);
    a.socket.close();
  });
});

describe('edit and delete', () => {
  it('the author edits (editedAt set, message_update); others cannot', async () => {
    const b = await TestSocket.identified(server.wsUrl, ben.token);
    const m = (await send(http, ann, channel, 'typo')).body;
    expect(
      (await http.patch(`/api/channels/${channel}/messages/${m.id}`, { content: 'x' }, { token: ben.token }))
        .status,
    ).toBe(403);
    expect(
      (
        await http.patch(
          `/api/channels/${channel}/messages/${m.id}`,
          { content: 'x' },
          { token: owner.token },
        )
      ).status,
    ).toBe(403);
    const edited = await http.patch<Message>(
      `/api/channels/${channel}/messages/${m.id}`,
      { content: 'fixed @ben' },
      { token: ann.token },
    );
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({
      id: m.id,
      content: 'fixed @ben',
      mentions: [ben.id],
      createdAt: m.createdAt,
    });
    expect(edited.body.editedAt).not.toBeNull();
    expect((await b.socket.next((f) => f.t === 'message_update')).d).toEqual(edited.body);
    b.socket.close();
  });

  it('the author or the server owner deletes (message_delete); other members cannot', async () => {
    const b = await TestSocket.identified(server.wsUrl, ben.token);
    const m1 = (await send(http, ann, channel, 'delete me')).body;
    const m2 = (await send(http, ann, channel, 'owner deletes me')).body;
    expect(
      (await http.delete(`/api/channels/${channel}/messages/${m1.id}`, { token: ben.token })).status,
    ).toBe(403);
    expect(
      (await http.delete(`/api/channels/${channel}/messages/${m1.id}`, { token: ann.token })).status,
    ).toBe(204);
    expect((await b.socket.next((f) => f.t === 'message_delete')).d).toEqual({
      id: m1.id,
      channelId: channel,
    });
    expect(
      (await http.delete(`/api/channels/${channel}/messages/${m2.id}`, { token: owner.token })).status,
    ).toBe(204);
    expect(
      (await http.delete(`/api/channels/${channel}/messages/${m2.id}`, { token: owner.token })).status,
    ).toBe(404);
    const ids = (await history(ann, channel, '?limit=100')).map((m) => m.id);
    expect(ids).not.toContain(m1.id);
    expect(ids).not.toContain(m2.id);
    b.socket.close();
  });

  it('a message id from another channel is not found', async () => {
    const other = await freshChannel();
    const m = (await send(http, ann, channel, 'here')).body;
    expect(
      (await http.patch(`/api/channels/${other}/messages/${m.id}`, { content: 'x' }, { token: ann.token }))
        .status,
    ).toBe(404);
    expect((await http.delete(`/api/channels/${other}/messages/${m.id}`, { token: ann.token })).status).toBe(
      404,
    );
  });
});

describe('history', () => {
  it('is empty for a new channel and pages by before/after, oldest first within a page', async () => {
    const c = await freshChannel();
    expect(await history(ann, c)).toEqual([]);
    const sent: Message[] = [];
    for (let i = 0; i < 10; i++) sent.push((await send(http, i % 2 ? ann : ben, c, `m${i}`)).body);
    const ids = sent.map((m) => m.id);
    expect((await history(ann, c)).map((m) => m.id)).toEqual(ids);
    expect((await history(ann, c, '?limit=3')).map((m) => m.content)).toEqual(['m7', 'm8', 'm9']);
    expect((await history(ann, c, `?limit=3&before=${ids[7]}`)).map((m) => m.content)).toEqual([
      'm4',
      'm5',
      'm6',
    ]);
    expect((await history(ann, c, `?limit=3&after=${ids[1]}`)).map((m) => m.content)).toEqual([
      'm2',
      'm3',
      'm4',
    ]);
    expect((await history(ann, c, `?after=${ids[3]}&before=${ids[6]}`)).map((m) => m.content)).toEqual([
      'm4',
      'm5',
    ]);
    // Edges: before the first id, after the last, and an exact multiple of the page size.
    expect(await history(ann, c, `?before=${ids[0]}`)).toEqual([]);
    expect(await history(ann, c, `?after=${ids[9]}`)).toEqual([]);
    const pageA = await history(ann, c, '?limit=5');
    const pageB = await history(ann, c, `?limit=5&before=${pageA[0]?.id}`);
    const pageC = await history(ann, c, `?limit=5&before=${pageB[0]?.id}`);
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
    const b = await TestSocket.identified(server.wsUrl, ben.token);
    const page = await history(ben, c);
    // One socket's frames are handled in order, so its messages are stored in order.
    expect(page.map((m) => m.content)).toEqual(Array.from({ length: 20 }, (_, i) => `o${i}`));
    const ids = page.map((m) => BigInt(m.id));
    expect([...ids].sort((x, y) => (x < y ? -1 : 1))).toEqual(ids);
    a.socket.close();
    b.socket.close();
  });

  it('refuses bad cursors and limits', async () => {
    for (const q of ['?limit=0', '?limit=101', '?limit=abc', '?before=abc', '?after=-1', '?other=1']) {
      expect((await http.get(`/api/channels/${channel}/messages${q}`, { token: ann.token })).status).toBe(
        400,
      );
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
  it('answers 429 over REST and rate_limited on the gateway, never a silent drop', async () => {
    const limited = await startTestServer({ sendLimits: { points: 3, windowSeconds: 60 } });
    try {
      const h = api(limited.url);
      const [o] = await makeUsers(h, ['rl-owner']);
      const s = await makeServer(h, o, 'RL');
      const c = textChannel(s);
      for (let i = 0; i < 3; i++) expect((await send(h, o, c, `ok ${i}`)).status).toBe(201);
      const over = await send(h, o, c, 'too many');
      expect(over.status).toBe(429);
      expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
      const { socket } = await TestSocket.identified(limited.wsUrl, o.token);
      const reply = await socket.request('send_message', { channelId: c, content: 'too many', nonce: 'rl' });
      expect(reply).toMatchObject({ ok: false, error: { code: 'rate_limited' } });
      socket.close();
    } finally {
      await limited.close();
    }
  });
});
