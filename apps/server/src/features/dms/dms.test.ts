import type { Channel, Message } from '@decentra/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settled } from '../../../test/barriers.js';
import { befriend, type Person, people, refused } from '../../../test/people.js';
import { startTestServer, type TestServer } from '../../../test/test-server.js';
import { TestSocket } from '../../../test/ws-client.js';

let server: TestServer;
let ann: Person;
let ben: Person;
let cat: Person;

const openDm = (a: Person, b: Person): Promise<Channel> => a.rest.openDm({ userId: b.id });

beforeAll(async () => {
  server = await startTestServer();
  [ann, ben, cat] = await people(server.url, ['ann', 'ben', 'cat']);
  await befriend(ann, ben);
});
afterAll(() => server.close());

describe('direct messages', () => {
  it('open one channel per pair, the same every time, and tell both ends live', async () => {
    const b = await TestSocket.identified(server.wsUrl, ben.token);
    const first = await openDm(ann, ben);
    expect(first).toMatchObject({ serverId: null, type: 'dm' });
    expect(first.recipients?.map((r) => r.username).sort()).toEqual(['ann', 'ben']);
    expect((await b.socket.nextEvent('dm_create')).d).toEqual(first);
    expect((await openDm(ann, ben)).id).toBe(first.id);
    expect((await openDm(ben, ann)).id).toBe(first.id);
    expect((await ben.rest.listDms()).map((c) => c.id)).toEqual([first.id]);
    b.socket.close();
  });

  it('agree on one channel when both open at once', async () => {
    const [x, y] = await people(server.url, ['xavier', 'yolanda'], ann);
    await befriend(x, y);
    const opened = await Promise.all([
      ...Array.from({ length: 4 }, () => openDm(x, y)),
      ...Array.from({ length: 4 }, () => openDm(y, x)),
    ]);
    expect(new Set(opened.map((c) => c.id)).size).toBe(1);
    expect(await x.rest.listDms()).toHaveLength(1);
  });

  it('need a friend, and not yourself', async () => {
    expect((await refused(openDm(ann, cat))).status).toBe(403);
    expect((await refused(openDm(ann, ann))).status).toBe(400);
    expect((await refused(ann.rest.openDm({ userId: 'abc' }))).status).toBe(400);
  });

  it('stop taking messages when the friendship ends, yet keep their history readable to both', async () => {
    const [p, q] = await people(server.url, ['pia', 'quinn'], ann);
    await befriend(p, q);
    const dm = (await openDm(p, q)).id;
    await p.rest.sendMessage({ channelId: dm, content: 'while friends' });
    await p.rest.removeFriend({ userId: q.id });
    expect((await refused(q.rest.sendMessage({ channelId: dm, content: 'after' }))).status).toBe(403);
    for (const u of [p, q]) {
      expect((await u.rest.listMessages({ channelId: dm })).map((m) => m.content)).toEqual(['while friends']);
    }
    expect((await q.rest.listDms()).map((c) => c.id)).toContain(dm);
    // Reopening an existing DM still answers it, even without the friendship.
    expect((await openDm(q, p)).id).toBe(dm);
  });

  it('are in ready', async () => {
    const dm = (await openDm(ann, ben)).id;
    const { socket, ready } = await TestSocket.identified(server.wsUrl, ben.token);
    expect((ready.dms as Channel[]).map((c) => c.id)).toContain(dm);
    socket.close();
  });

  it('cannot be renamed or deleted as channels', async () => {
    const dm = (await openDm(ann, ben)).id;
    expect((await refused(ann.rest.renameChannel({ channelId: dm, name: 'x' }))).status).toBe(400);
    expect((await refused(ann.rest.deleteChannel({ channelId: dm }))).status).toBe(400);
  });
});

describe("a DM's messages", () => {
  let dm: string;
  let a1: TestSocket;
  let a2: TestSocket;
  let b: TestSocket;
  let c: TestSocket;
  let sent: Message;

  beforeAll(async () => {
    dm = (await openDm(ann, ben)).id;
    const open = async (p: Person) => (await TestSocket.identified(server.wsUrl, p.token)).socket;
    [a1, a2, b, c] = [await open(ann), await open(ann), await open(ben), await open(cat)];
  });
  afterAll(() => {
    for (const s of [a1, a2, b, c]) s.close();
  });

  it('reach both ends, on all their sockets, with mentions resolved', async () => {
    sent = await ann.rest.sendMessage({ channelId: dm, content: 'psst @ben', nonce: 'dm-1' });
    expect(sent.mentions).toEqual([ben.id]);
    for (const s of [a1, a2, b]) expect((await s.nextEvent('message_create')).d).toEqual(sent);
  });

  it('go over the gateway op too, and a resent nonce answers the first message', async () => {
    const reply = await b.request('send_message', { channelId: dm, content: 'hi back', nonce: 'dm-2' });
    expect(reply.ok).toBe(true);
    expect((await ann.rest.sendMessage({ channelId: dm, content: 'psst @ben', nonce: 'dm-1' })).id).toBe(
      sent.id,
    );
  });

  it('are kept in order in the history of both ends', async () => {
    for (const u of [ann, ben])
      expect((await u.rest.listMessages({ channelId: dm })).map((m) => m.content)).toEqual([
        'psst @ben',
        'hi back',
      ]);
  });

  it('never reach a third user, who can neither read nor write them', async () => {
    // Both messages went out before their sends were answered: had one gone to Cat, it is here now.
    await settled(c);
    expect(c.events('message_create')).toHaveLength(0);
    expect((await refused(cat.rest.listMessages({ channelId: dm }))).status).toBe(404);
    expect((await refused(cat.rest.sendMessage({ channelId: dm, content: 'let me in' }))).status).toBe(404);
  });

  it('are edited by their author, and the other end hears message_update', async () => {
    const edited = await ann.rest.editMessage({ channelId: dm, messageId: sent.id, content: 'edited' });
    expect(edited).toMatchObject({ id: sent.id, content: 'edited' });
    expect((await b.nextEvent('message_update')).d).toEqual(edited);
  });
});
