import type { Channel, Message } from '@decentra/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeUsers, send, type TestUser } from '../../../test/factories.js';
import { type Api, api } from '../../../test/http.js';
import { startTestServer, type TestServer } from '../../../test/test-server.js';
import { TestSocket } from '../../../test/ws-client.js';

let server: TestServer;
let http: Api;
let ann: TestUser;
let ben: TestUser;
let cat: TestUser;

async function befriend(a: TestUser, b: TestUser): Promise<void> {
  const req = await http.post<{ id: string }>(
    '/api/friends/requests',
    { username: b.username },
    { token: a.token },
  );
  expect(req.status).toBe(201);
  expect(
    (await http.post(`/api/friends/requests/${req.body.id}/accept`, undefined, { token: b.token })).status,
  ).toBe(200);
}

async function openDm(a: TestUser, b: TestUser) {
  return http.post<Channel>('/api/dms', { userId: b.id }, { token: a.token });
}

beforeAll(async () => {
  server = await startTestServer();
  http = api(server.url);
  [ann, ben, cat] = await makeUsers(http, ['ann', 'ben', 'cat']);
  await befriend(ann, ben);
});
afterAll(() => server.close());

describe('direct messages', () => {
  it('open one channel per pair, the same every time, and tell both ends live', async () => {
    const b = await TestSocket.identified(server.wsUrl, ben.token);
    const first = await openDm(ann, ben);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ serverId: null, type: 'dm' });
    expect(first.body.recipients?.map((r) => r.username).sort()).toEqual(['ann', 'ben']);
    expect((await b.socket.next((f) => f.t === 'dm_create')).d).toEqual(first.body);
    expect((await openDm(ann, ben)).body.id).toBe(first.body.id);
    expect((await openDm(ben, ann)).body.id).toBe(first.body.id);
    const listed = await http.get<Channel[]>('/api/dms', { token: ben.token });
    expect(listed.body.map((c) => c.id)).toEqual([first.body.id]);
    b.socket.close();
  });

  it('agree on one channel when both open at once', async () => {
    const [x, y] = await makeUsers(http, ['xavier', 'yolanda'], ann);
    await befriend(x, y);
    const opened = await Promise.all([
      ...Array.from({ length: 4 }, () => openDm(x, y)),
      ...Array.from({ length: 4 }, () => openDm(y, x)),
    ]);
    expect(new Set(opened.map((r) => r.body.id)).size).toBe(1);
    expect((await http.get<Channel[]>('/api/dms', { token: x.token })).body).toHaveLength(1);
  });

  it('need a friend, and not yourself', async () => {
    expect((await openDm(ann, cat)).status).toBe(403);
    expect((await openDm(ann, ann)).status).toBe(400);
    expect((await http.post('/api/dms', { userId: 'abc' }, { token: ann.token })).status).toBe(400);
  });

  it('carry messages to the two ends only (all their sockets), with the message endpoints, nonce and history', async () => {
    const dm = (await openDm(ann, ben)).body.id;
    const a1 = await TestSocket.identified(server.wsUrl, ann.token);
    const a2 = await TestSocket.identified(server.wsUrl, ann.token);
    const b = await TestSocket.identified(server.wsUrl, ben.token);
    const c = await TestSocket.identified(server.wsUrl, cat.token);
    const sent = await send(http, ann, dm, 'psst @ben', 'dm-1');
    expect(sent.status).toBe(201);
    expect(sent.body.mentions).toEqual([ben.id]);
    for (const s of [a1, a2, b])
      expect((await s.socket.next((f) => f.t === 'message_create')).d).toEqual(sent.body);
    const reply = await b.socket.request('send_message', {
      channelId: dm,
      content: 'hi back',
      nonce: 'dm-2',
    });
    expect(reply.ok).toBe(true);
    expect((await send(http, ann, dm, 'psst @ben', 'dm-1')).body.id).toBe(sent.body.id);
    const history = await http.get<Message[]>(`/api/channels/${dm}/messages`, { token: ben.token });
    expect(history.body.map((m) => m.content)).toEqual(['psst @ben', 'hi back']);
    await new Promise((r) => setTimeout(r, 100));
    expect(c.socket.events('message_create')).toHaveLength(0);
    // A third user can neither read nor write it.
    expect((await http.get(`/api/channels/${dm}/messages`, { token: cat.token })).status).toBe(404);
    expect((await send(http, cat, dm, 'let me in')).status).toBe(404);
    const edited = await http.patch<Message>(
      `/api/channels/${dm}/messages/${sent.body.id}`,
      { content: 'edited' },
      { token: ann.token },
    );
    expect(edited.status).toBe(200);
    expect((await b.socket.next((f) => f.t === 'message_update')).d).toEqual(edited.body);
    for (const s of [a1, a2, b, c]) s.socket.close();
  });

  it('stop taking messages when the friendship ends, yet keep their history readable to both', async () => {
    const [p, q] = await makeUsers(http, ['pia', 'quinn'], ann);
    await befriend(p, q);
    const dm = (await openDm(p, q)).body.id;
    await send(http, p, dm, 'while friends');
    expect((await http.delete(`/api/friends/${q.id}`, { token: p.token })).status).toBe(204);
    const refused = await send(http, q, dm, 'after');
    expect(refused.status).toBe(403);
    for (const u of [p, q]) {
      const h = await http.get<Message[]>(`/api/channels/${dm}/messages`, { token: u.token });
      expect(h.body.map((m) => m.content)).toEqual(['while friends']);
    }
    expect((await http.get<Channel[]>('/api/dms', { token: q.token })).body.map((c) => c.id)).toContain(dm);
    // Reopening an existing DM still answers it, even without the friendship.
    expect((await openDm(q, p)).body.id).toBe(dm);
  });

  it('are in ready', async () => {
    const dm = (await openDm(ann, ben)).body.id;
    const { socket, ready } = await TestSocket.identified(server.wsUrl, ben.token);
    expect((ready.dms as Channel[]).map((c) => c.id)).toContain(dm);
    socket.close();
  });

  it('cannot be renamed or deleted as channels', async () => {
    const dm = (await openDm(ann, ben)).body.id;
    expect((await http.patch(`/api/channels/${dm}`, { name: 'x' }, { token: ann.token })).status).toBe(400);
    expect((await http.delete(`/api/channels/${dm}`, { token: ann.token })).status).toBe(400);
  });
});
