import { MAX_PINS_PER_CHANNEL, type Server } from '@decentra/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settled } from '../../../test/barriers.js';
import { befriend, type Person, people, refused, serverWith } from '../../../test/people.js';
import { startTestServer, type TestServer } from '../../../test/test-server.js';
import { TestSocket } from '../../../test/ws-client.js';

let server: TestServer;
let owner: Person;
let ann: Person;
let ben: Person;
let stranger: Person;
let guild: Server;

beforeAll(async () => {
  server = await startTestServer({ sendLimits: { points: 1000, windowSeconds: 5 } });
  [owner, ann, ben, stranger] = await people(server.url, ['owner', 'ann', 'ben', 'stranger']);
  guild = await serverWith(owner, 'Pins', [ann, ben]);
  await owner.rest.updateMember({ serverId: guild.id, userId: ann.id, permissions: { pinMessages: true } });
});
afterAll(() => server.close());

let n = 0;
async function freshChannel(): Promise<string> {
  n += 1;
  return (await owner.rest.createChannel({ serverId: guild.id, name: `pins-${n}`, type: 'text' })).id;
}

const pin = (p: Person, channelId: string, messageId: string) => p.rest.pinMessage({ channelId, messageId });
const unpin = (p: Person, channelId: string, messageId: string) =>
  p.rest.unpinMessage({ channelId, messageId });

describe('pin rights', () => {
  it('the owner and a member with the right pin and unpin; a member without it is refused', async () => {
    const c = await freshChannel();
    const m = await ben.rest.sendMessage({ channelId: c, content: 'pin me' });
    const err = await refused(pin(ben, c, m.id));
    expect(err.status).toBe(403);
    expect(await owner.rest.listPins({ channelId: c })).toEqual([]);
    await pin(ann, c, m.id);
    expect((await refused(unpin(ben, c, m.id))).status).toBe(403);
    await unpin(owner, c, m.id);
    await pin(owner, c, m.id);
    const [listed] = await ben.rest.listPins({ channelId: c });
    expect(listed).toMatchObject({ message: { id: m.id, pinned: true }, pinnedBy: { id: owner.id } });
    // Withdrawn, the right is gone at once.
    await owner.rest.updateMember({
      serverId: guild.id,
      userId: ann.id,
      permissions: { pinMessages: false },
    });
    expect((await refused(unpin(ann, c, m.id))).status).toBe(403);
    await owner.rest.updateMember({ serverId: guild.id, userId: ann.id, permissions: { pinMessages: true } });
  });

  it('strangers see no channel; a message of another channel is not found', async () => {
    const c = await freshChannel();
    const other = await freshChannel();
    const m = await owner.rest.sendMessage({ channelId: other, content: 'elsewhere' });
    expect((await refused(stranger.rest.listPins({ channelId: c }))).status).toBe(404);
    expect((await refused(pin(stranger, c, m.id))).status).toBe(404);
    expect((await refused(pin(owner, c, m.id))).status).toBe(404);
  });

  it('in a DM both ends may pin', async () => {
    await befriend(ann, ben);
    const dm = await ann.rest.openDm({ userId: ben.id });
    const m = await ann.rest.sendMessage({ channelId: dm.id, content: 'dm pin' });
    await pin(ben, dm.id, m.id);
    await unpin(ann, dm.id, m.id);
    await pin(ann, dm.id, m.id);
    expect((await ben.rest.listPins({ channelId: dm.id })).map((p) => p.message.id)).toEqual([m.id]);
    expect((await refused(pin(owner, dm.id, m.id))).status).toBe(404);
  });
});

describe('pins', () => {
  it('lists newest pin first with the messages; history carries pinned; pinning twice is a no-op', async () => {
    const c = await freshChannel();
    const a = await owner.rest.sendMessage({ channelId: c, content: 'a' });
    const b = await owner.rest.sendMessage({ channelId: c, content: 'b' });
    await pin(owner, c, b.id);
    await pin(owner, c, a.id);
    await pin(owner, c, a.id);
    expect((await ann.rest.listPins({ channelId: c })).map((p) => p.message.content)).toEqual(['a', 'b']);
    const page = await ann.rest.listMessages({ channelId: c });
    expect(page.map((m) => m.pinned ?? false)).toEqual([true, true]);
    await unpin(owner, c, b.id);
    await unpin(owner, c, b.id);
    expect((await ann.rest.listMessages({ channelId: c })).map((m) => m.pinned ?? false)).toEqual([
      true,
      false,
    ]);
    // A deleted message leaves the pins with it.
    await owner.rest.deleteMessage({ channelId: c, messageId: a.id });
    expect(await ann.rest.listPins({ channelId: c })).toEqual([]);
  });

  it('tells the channel’s members (not strangers) of each change, once', async () => {
    const c = await freshChannel();
    const m = await owner.rest.sendMessage({ channelId: c, content: 'live' });
    const b = await TestSocket.identified(server.wsUrl, ben.token);
    const s = await TestSocket.identified(server.wsUrl, stranger.token);
    await pin(ann, c, m.id);
    expect((await b.socket.nextEvent('channel_pins_update')).d).toEqual({
      channelId: c,
      messageId: m.id,
      pinned: true,
    });
    await pin(ann, c, m.id);
    await unpin(ann, c, m.id);
    await b.socket.nextEvent('channel_pins_update', (d) => !d.pinned);
    // The repeated pin changed nothing and said nothing: the pin, then the unpin.
    expect(b.socket.payloads('channel_pins_update').map((d) => d.pinned)).toEqual([true, false]);
    await settled(s.socket);
    expect(s.socket.events('channel_pins_update')).toHaveLength(0);
    b.socket.close();
    s.socket.close();
  });

  it(`holds at most ${MAX_PINS_PER_CHANNEL} pins per channel, also when pins race`, async () => {
    const c = await freshChannel();
    const sent = [];
    for (let i = 0; i < MAX_PINS_PER_CHANNEL + 10; i++) {
      sent.push(await owner.rest.sendMessage({ channelId: c, content: `m${i}` }));
    }
    const results = await Promise.allSettled(sent.map((m, i) => pin(i % 2 ? ann : owner, c, m.id)));
    const ok = results.filter((r) => r.status === 'fulfilled').length;
    expect(ok).toBe(MAX_PINS_PER_CHANNEL);
    const refusals = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
    expect(refusals).toHaveLength(10);
    for (const r of refusals) expect(r).toMatchObject({ status: 403, reason: 'pin_limit' });
    expect(await owner.rest.listPins({ channelId: c })).toHaveLength(MAX_PINS_PER_CHANNEL);
  });
});
