import { ApiError } from '@decentra/client';
import type { Server } from '@decentra/protocol';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  joinAll,
  type Person,
  people,
  refused,
  restClient,
  serverWith,
  textChannelOf,
} from '../../../test/people.js';
import { createTestDatabase, ENGINE, type TestDatabase } from '../../../test/test-db.js';
import { startTestServer, type TestServer } from '../../../test/test-server.js';
import { TestSocket } from '../../../test/ws-client.js';

/**
 * The send path keeps channels and memberships in memory (SendAccessCache). Every test here first
 * sends, so the cache knows the sender, then takes the access away and sends again: the refusal
 * must come from the cache having forgotten, not from a cold lookup.
 */

const SEND_LIMITS = { points: 1000, windowSeconds: 5 };

async function contents(reader: Person, channelId: string): Promise<string[]> {
  return (await reader.rest.listMessages({ channelId, limit: 100 })).map((m) => m.content);
}

/** What a send over REST came to: `sent`, or the status it was refused with. */
const outcomeOf = (send: Promise<unknown>): Promise<'sent' | number> =>
  send.then(
    () => 'sent' as const,
    (err: unknown) => (err instanceof ApiError ? err.status : Promise.reject(err)),
  );

/** A send over REST (through `user.rest`'s instance) and one over the gateway, both refused as not found. */
async function expectRefused(socket: TestSocket, user: Person, channelId: string, tag: string) {
  const rest = await refused(user.rest.sendMessage({ channelId, content: `${tag} (rest)` }));
  expect([rest.status, rest.code]).toEqual([404, 'not_found']);
  const gw = await socket.request('send_message', {
    channelId,
    content: `${tag} (gateway)`,
    nonce: `${tag}-gw`,
  });
  expect(gw).toMatchObject({ ok: false, error: { code: 'not_found' } });
}

/** A send over REST and one over the gateway, both stored; fills the cache for this user. */
async function expectSent(socket: TestSocket, user: Person, channelId: string, tag: string) {
  const rest = await user.rest.sendMessage({ channelId, content: `${tag} (rest)` });
  expect(rest.content).toBe(`${tag} (rest)`);
  const gw = await socket.request('send_message', {
    channelId,
    content: `${tag} (gateway)`,
    nonce: `${tag}-gw`,
  });
  expect(gw, JSON.stringify(gw)).toMatchObject({ ok: true });
}

describe('one instance: a cached sender loses access at once', () => {
  let server: TestServer;
  let owner: Person;
  let ann: Person;
  let ben: Person;

  beforeAll(async () => {
    server = await startTestServer({ sendLimits: SEND_LIMITS });
    [owner, ann, ben] = await people(server.url, ['owner', 'ann', 'ben']);
  });
  afterAll(() => server.close());

  async function freshServer(name: string): Promise<{ guild: Server; channel: string }> {
    const guild = await serverWith(owner, name, [ann, ben]);
    return { guild, channel: textChannelOf(guild) };
  }

  it('kicked: 404 over REST, not_found on the gateway, nothing stored; re-invited: sends again', async () => {
    const { guild, channel } = await freshServer('Kick');
    const { socket } = await TestSocket.identified(server.wsUrl, ann.token);
    await expectSent(socket, ann, channel, 'before kick');
    await owner.rest.removeMember({ serverId: guild.id, userId: ann.id });
    await expectRefused(socket, ann, channel, 'after kick');
    const stored = await contents(owner, channel);
    expect(stored).toEqual(['before kick (rest)', 'before kick (gateway)']);

    await joinAll(guild, owner, [ann]);
    await expectSent(socket, ann, channel, 'back again');
    expect(await contents(owner, channel)).toEqual([...stored, 'back again (rest)', 'back again (gateway)']);
    socket.close();
  });

  it('left with @me: refused the same way, and can send again after rejoining', async () => {
    const { guild, channel } = await freshServer('Leave');
    const { socket } = await TestSocket.identified(server.wsUrl, ben.token);
    await expectSent(socket, ben, channel, 'before leaving');
    await ben.rest.removeMember({ serverId: guild.id, userId: '@me' });
    await expectRefused(socket, ben, channel, 'after leaving');
    expect(await contents(owner, channel)).toEqual(['before leaving (rest)', 'before leaving (gateway)']);
    await joinAll(guild, owner, [ben]);
    await expectSent(socket, ben, channel, 'rejoined');
    expect(await contents(owner, channel)).toHaveLength(4);
    socket.close();
  });

  it('a kick takes only that member: the others, cached too, keep sending', async () => {
    const { guild, channel } = await freshServer('Others');
    await ann.rest.sendMessage({ channelId: channel, content: 'ann 1' });
    await ben.rest.sendMessage({ channelId: channel, content: 'ben 1' });
    await owner.rest.removeMember({ serverId: guild.id, userId: ann.id });
    expect(await outcomeOf(ann.rest.sendMessage({ channelId: channel, content: 'ann 2' }))).toBe(404);
    expect(await outcomeOf(ben.rest.sendMessage({ channelId: channel, content: 'ben 2' }))).toBe('sent');
    expect(await outcomeOf(owner.rest.sendMessage({ channelId: channel, content: 'owner 1' }))).toBe('sent');
    expect(await contents(owner, channel)).toEqual(['ann 1', 'ben 1', 'ben 2', 'owner 1']);
  });

  it('channel deleted: 404 (not 500) for every cached sender, the other channels unharmed', async () => {
    const { guild, channel: kept } = await freshServer('Channel gone');
    const doomed = (await owner.rest.createChannel({ serverId: guild.id, name: 'doomed', type: 'text' })).id;
    const { socket } = await TestSocket.identified(server.wsUrl, ann.token);
    const { socket: ownerSocket } = await TestSocket.identified(server.wsUrl, owner.token);
    await expectSent(socket, ann, doomed, 'in doomed');
    await expectSent(ownerSocket, owner, doomed, 'owner in doomed');
    await owner.rest.deleteChannel({ channelId: doomed });
    await expectRefused(socket, ann, doomed, 'after channel delete');
    await expectRefused(ownerSocket, owner, doomed, 'owner after channel delete');
    expect(await outcomeOf(ann.rest.sendMessage({ channelId: kept, content: 'still here' }))).toBe('sent');
    expect(server.logs.join('')).not.toMatch(/"level":50/);
    socket.close();
    ownerSocket.close();
  });

  it('channel row gone without any bus message (the cache still holds it): the insert fails as 404', async () => {
    const { guild } = await freshServer('Behind the back');
    const channel = (await owner.rest.createChannel({ serverId: guild.id, name: 'vanishing', type: 'text' }))
      .id;
    const { socket } = await TestSocket.identified(server.wsUrl, ann.token);
    await expectSent(socket, ann, channel, 'cached');
    // As if another instance deleted it and this one has not heard yet.
    await server.app.storage.db.execute(sql`delete from channels where id = ${BigInt(channel)}`);
    const logsBefore = server.logs.length;
    await expectRefused(socket, ann, channel, 'into the void');
    expect(server.logs.slice(logsBefore).join('')).not.toMatch(/"level":50/);
    socket.close();
  });

  it('server deleted: every cached sender, the owner included, gets 404', async () => {
    const { guild, channel } = await freshServer('Server gone');
    const { socket } = await TestSocket.identified(server.wsUrl, ann.token);
    const { socket: ownerSocket } = await TestSocket.identified(server.wsUrl, owner.token);
    await expectSent(socket, ann, channel, 'before server delete');
    await expectSent(ownerSocket, owner, channel, 'owner before server delete');
    await owner.rest.deleteServer({ serverId: guild.id });
    await expectRefused(socket, ann, channel, 'after server delete');
    await expectRefused(ownerSocket, owner, channel, 'owner after server delete');
    const left = await server.app.storage.db.execute(
      sql`select count(*)::int as n from messages where channel_id = ${BigInt(channel)}`,
    );
    expect(Number((left as unknown as { rows: Array<{ n: number }> }).rows[0]?.n)).toBe(0);
    socket.close();
    ownerSocket.close();
  });
});

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Removals made on one instance reach the other's cache through Redis (needs a shared database). */
describe.runIf(ENGINE === 'postgres')('two instances behind one Redis: the cache hears removals', () => {
  let db: TestDatabase;
  let a: TestServer;
  let b: TestServer;
  /** On A (their own `rest` is A's). */
  let owner: Person;
  let ann: Person;
  /** The same two people, their calls going to B. */
  const atB = (p: Person): Person => ({ ...p, rest: restClient(b.url, p.token) });

  beforeAll(async () => {
    db = await createTestDatabase();
    a = await startTestServer({ db, config: { redisUrl: REDIS_URL }, sendLimits: SEND_LIMITS });
    b = await startTestServer({ db, config: { redisUrl: REDIS_URL }, sendLimits: SEND_LIMITS });
    [owner, ann] = await people(a.url, ['owner', 'ann']);
  });
  afterAll(async () => {
    await b?.close({ keepData: true });
    await a?.close();
  });

  it('kicked through B: the next send on A is refused and not stored', async () => {
    const guild = await serverWith(atB(owner), 'Across', [atB(ann)]);
    const channel = textChannelOf(guild);
    const { socket } = await TestSocket.identified(a.wsUrl, ann.token);
    await expectSent(socket, ann, channel, 'on A');
    await atB(owner).rest.removeMember({ serverId: guild.id, userId: ann.id });
    // The Redis hop is asynchronous: A has handled the kick once it has told ann's socket.
    await socket.nextEvent('member_leave');
    await expectRefused(socket, ann, channel, 'on A after kick');
    expect(await contents(atB(owner), channel)).toEqual(['on A (rest)', 'on A (gateway)']);
    socket.close();
  });

  it('kicked through B, without waiting for any event: A refuses as soon as the message lands', async () => {
    const guild = await serverWith(atB(owner), 'Across 2', [atB(ann)]);
    const channel = textChannelOf(guild);
    await ann.rest.sendMessage({ channelId: channel, content: 'cached on A' });
    await atB(owner).rest.removeMember({ serverId: guild.id, userId: ann.id });
    // History answers from the database, so it says nothing of the cache; only a send does.
    await expect
      .poll(() => outcomeOf(ann.rest.sendMessage({ channelId: channel, content: 'probe' })), {
        timeout: 5_000,
        interval: 20,
      })
      .toBe(404);
    // A probe that beat the Redis message to A was stored (that window is the design); once
    // refused, they stay refused.
    for (let i = 0; i < 5; i++)
      expect(await outcomeOf(ann.rest.sendMessage({ channelId: channel, content: 'late' }))).toBe(404);
    const stored = await contents(atB(owner), channel);
    expect(stored[0]).toBe('cached on A');
    expect(stored).not.toContain('late');
  });

  it('channel deleted through B: A answers 404 for its cached senders', async () => {
    const guild = await serverWith(atB(owner), 'Across 3', [atB(ann)]);
    const channel = textChannelOf(guild);
    const { socket } = await TestSocket.identified(a.wsUrl, ann.token);
    await expectSent(socket, ann, channel, 'on A');
    await owner.rest.sendMessage({ channelId: channel, content: 'owner on A' });
    await atB(owner).rest.deleteChannel({ channelId: channel });
    await socket.nextEvent('channel_delete');
    await expectRefused(socket, ann, channel, 'on A after delete');
    expect(
      await outcomeOf(owner.rest.sendMessage({ channelId: channel, content: 'owner after delete' })),
    ).toBe(404);
    socket.close();
  });
});
