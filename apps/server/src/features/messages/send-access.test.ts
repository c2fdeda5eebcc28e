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
import { createTestDatabase, ENGINE, type TestDatabase } from '../../../test/test-db.js';
import { startTestServer, type TestServer } from '../../../test/test-server.js';
import { TestSocket } from '../../../test/ws-client.js';

/**
 * The send path keeps channels and memberships in memory (SendAccessCache). Every test here first
 * sends, so the cache knows the sender, then takes the access away and sends again: the refusal
 * must come from the cache having forgotten, not from a cold lookup.
 */

interface ErrorResponse {
  error: { code: string; message: string };
}

const SEND_LIMITS = { points: 1000, windowSeconds: 5 };

async function contents(http: Api, reader: TestUser, channelId: string): Promise<string[]> {
  const res = await http.get<Message[]>(`/api/channels/${channelId}/messages?limit=100`, {
    token: reader.token,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.map((m) => m.content);
}

/** A send over REST and one over the gateway, both expected to be refused as not found. */
async function expectRefused(http: Api, socket: TestSocket, user: TestUser, channelId: string, tag: string) {
  const rest = await send(http, user, channelId, `${tag} (rest)`);
  expect(rest.status, JSON.stringify(rest.body)).toBe(404);
  expect((rest.body as unknown as ErrorResponse).error.code).toBe('not_found');
  const gw = await socket.request('send_message', {
    channelId,
    content: `${tag} (gateway)`,
    nonce: `${tag}-gw`,
  });
  expect(gw).toMatchObject({ ok: false, error: { code: 'not_found' } });
}

/** A send over REST and one over the gateway, both stored; fills the cache for this user. */
async function expectSent(http: Api, socket: TestSocket, user: TestUser, channelId: string, tag: string) {
  const rest = await send(http, user, channelId, `${tag} (rest)`);
  expect(rest.status, JSON.stringify(rest.body)).toBe(201);
  const gw = await socket.request('send_message', {
    channelId,
    content: `${tag} (gateway)`,
    nonce: `${tag}-gw`,
  });
  expect(gw, JSON.stringify(gw)).toMatchObject({ ok: true });
}

describe('one instance: a cached sender loses access at once', () => {
  let server: TestServer;
  let http: Api;
  let owner: TestUser;
  let ann: TestUser;
  let ben: TestUser;

  beforeAll(async () => {
    server = await startTestServer({ sendLimits: SEND_LIMITS });
    http = api(server.url);
    [owner, ann, ben] = await makeUsers(http, ['owner', 'ann', 'ben']);
  });
  afterAll(() => server.close());

  async function freshServer(name: string): Promise<{ guild: Server; channel: string }> {
    const guild = await makeServer(http, owner, name);
    await joinServer(http, guild, owner, [ann, ben]);
    return { guild, channel: textChannel(guild) };
  }

  it('kicked: 404 over REST, not_found on the gateway, nothing stored; re-invited: sends again', async () => {
    const { guild, channel } = await freshServer('Kick');
    const { socket } = await TestSocket.identified(server.wsUrl, ann.token);
    await expectSent(http, socket, ann, channel, 'before kick');
    expect(
      (await http.delete(`/api/servers/${guild.id}/members/${ann.id}`, { token: owner.token })).status,
    ).toBe(204);
    await expectRefused(http, socket, ann, channel, 'after kick');
    const stored = await contents(http, owner, channel);
    expect(stored).toEqual(['before kick (rest)', 'before kick (gateway)']);

    await joinServer(http, guild, owner, [ann]);
    await expectSent(http, socket, ann, channel, 'back again');
    expect(await contents(http, owner, channel)).toEqual([
      ...stored,
      'back again (rest)',
      'back again (gateway)',
    ]);
    socket.close();
  });

  it('left with @me: refused the same way, and can send again after rejoining', async () => {
    const { guild, channel } = await freshServer('Leave');
    const { socket } = await TestSocket.identified(server.wsUrl, ben.token);
    await expectSent(http, socket, ben, channel, 'before leaving');
    expect((await http.delete(`/api/servers/${guild.id}/members/@me`, { token: ben.token })).status).toBe(
      204,
    );
    await expectRefused(http, socket, ben, channel, 'after leaving');
    expect(await contents(http, owner, channel)).toEqual([
      'before leaving (rest)',
      'before leaving (gateway)',
    ]);
    await joinServer(http, guild, owner, [ben]);
    await expectSent(http, socket, ben, channel, 'rejoined');
    expect(await contents(http, owner, channel)).toHaveLength(4);
    socket.close();
  });

  it('a kick takes only that member: the others, cached too, keep sending', async () => {
    const { guild, channel } = await freshServer('Others');
    expect((await send(http, ann, channel, 'ann 1')).status).toBe(201);
    expect((await send(http, ben, channel, 'ben 1')).status).toBe(201);
    expect(
      (await http.delete(`/api/servers/${guild.id}/members/${ann.id}`, { token: owner.token })).status,
    ).toBe(204);
    expect((await send(http, ann, channel, 'ann 2')).status).toBe(404);
    expect((await send(http, ben, channel, 'ben 2')).status).toBe(201);
    expect((await send(http, owner, channel, 'owner 1')).status).toBe(201);
    expect(await contents(http, owner, channel)).toEqual(['ann 1', 'ben 1', 'ben 2', 'owner 1']);
  });

  it('channel deleted: 404 (not 500) for every cached sender, the other channels unharmed', async () => {
    const { guild, channel: kept } = await freshServer('Channel gone');
    const created = await http.post<{ id: string }>(
      `/api/servers/${guild.id}/channels`,
      { name: 'doomed', type: 'text' },
      { token: owner.token },
    );
    expect(created.status).toBe(201);
    const doomed = created.body.id;
    const { socket } = await TestSocket.identified(server.wsUrl, ann.token);
    const { socket: ownerSocket } = await TestSocket.identified(server.wsUrl, owner.token);
    await expectSent(http, socket, ann, doomed, 'in doomed');
    await expectSent(http, ownerSocket, owner, doomed, 'owner in doomed');
    expect((await http.delete(`/api/channels/${doomed}`, { token: owner.token })).status).toBe(204);
    await expectRefused(http, socket, ann, doomed, 'after channel delete');
    await expectRefused(http, ownerSocket, owner, doomed, 'owner after channel delete');
    expect((await send(http, ann, kept, 'still here')).status).toBe(201);
    expect(server.logs.join('')).not.toMatch(/"level":50/);
    socket.close();
    ownerSocket.close();
  });

  it('channel row gone without any bus message (the cache still holds it): the insert fails as 404', async () => {
    const { guild } = await freshServer('Behind the back');
    const created = await http.post<{ id: string }>(
      `/api/servers/${guild.id}/channels`,
      { name: 'vanishing', type: 'text' },
      { token: owner.token },
    );
    const channel = created.body.id;
    const { socket } = await TestSocket.identified(server.wsUrl, ann.token);
    await expectSent(http, socket, ann, channel, 'cached');
    // As if another instance deleted it and this one has not heard yet.
    await server.app.storage.db.execute(sql`delete from channels where id = ${BigInt(channel)}`);
    const logsBefore = server.logs.length;
    await expectRefused(http, socket, ann, channel, 'into the void');
    expect(server.logs.slice(logsBefore).join('')).not.toMatch(/"level":50/);
    socket.close();
  });

  it('server deleted: every cached sender, the owner included, gets 404', async () => {
    const { guild, channel } = await freshServer('Server gone');
    const { socket } = await TestSocket.identified(server.wsUrl, ann.token);
    const { socket: ownerSocket } = await TestSocket.identified(server.wsUrl, owner.token);
    await expectSent(http, socket, ann, channel, 'before server delete');
    await expectSent(http, ownerSocket, owner, channel, 'owner before server delete');
    expect((await http.delete(`/api/servers/${guild.id}`, { token: owner.token })).status).toBe(204);
    await expectRefused(http, socket, ann, channel, 'after server delete');
    await expectRefused(http, ownerSocket, owner, channel, 'owner after server delete');
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
  let httpA: Api;
  let httpB: Api;
  let owner: TestUser;
  let ann: TestUser;

  beforeAll(async () => {
    db = await createTestDatabase();
    a = await startTestServer({ db, config: { redisUrl: REDIS_URL }, sendLimits: SEND_LIMITS });
    b = await startTestServer({ db, config: { redisUrl: REDIS_URL }, sendLimits: SEND_LIMITS });
    httpA = api(a.url);
    httpB = api(b.url);
    [owner, ann] = await makeUsers(httpA, ['owner', 'ann']);
  });
  afterAll(async () => {
    await b?.close({ keepData: true });
    await a?.close();
  });

  it('kicked through B: the next send on A is refused and not stored', async () => {
    const guild = await makeServer(httpB, owner, 'Across');
    await joinServer(httpB, guild, owner, [ann]);
    const channel = textChannel(guild);
    const { socket } = await TestSocket.identified(a.wsUrl, ann.token);
    await expectSent(httpA, socket, ann, channel, 'on A');
    expect(
      (await httpB.delete(`/api/servers/${guild.id}/members/${ann.id}`, { token: owner.token })).status,
    ).toBe(204);
    // The Redis hop is asynchronous: A has handled the kick once it has told ann's socket.
    await socket.next((f) => f.t === 'member_leave');
    await expectRefused(httpA, socket, ann, channel, 'on A after kick');
    expect(await contents(httpB, owner, channel)).toEqual(['on A (rest)', 'on A (gateway)']);
    socket.close();
  });

  it('kicked through B, without waiting for any event: A refuses as soon as the message lands', async () => {
    const guild = await makeServer(httpB, owner, 'Across 2');
    await joinServer(httpB, guild, owner, [ann]);
    const channel = textChannel(guild);
    expect((await send(httpA, ann, channel, 'cached on A')).status).toBe(201);
    expect(
      (await httpB.delete(`/api/servers/${guild.id}/members/${ann.id}`, { token: owner.token })).status,
    ).toBe(204);
    // History answers from the database, so it says nothing of the cache; only a send does.
    await expect
      .poll(async () => (await send(httpA, ann, channel, 'probe')).status, { timeout: 5_000, interval: 20 })
      .toBe(404);
    // A probe that beat the Redis message to A was stored (that window is the design); once
    // refused, they stay refused.
    for (let i = 0; i < 5; i++) expect((await send(httpA, ann, channel, 'late')).status).toBe(404);
    const stored = await contents(httpB, owner, channel);
    expect(stored[0]).toBe('cached on A');
    expect(stored).not.toContain('late');
  });

  it('channel deleted through B: A answers 404 for its cached senders', async () => {
    const guild = await makeServer(httpB, owner, 'Across 3');
    await joinServer(httpB, guild, owner, [ann]);
    const channel = textChannel(guild);
    const { socket } = await TestSocket.identified(a.wsUrl, ann.token);
    await expectSent(httpA, socket, ann, channel, 'on A');
    expect((await send(httpA, owner, channel, 'owner on A')).status).toBe(201);
    expect((await httpB.delete(`/api/channels/${channel}`, { token: owner.token })).status).toBe(204);
    await socket.next((f) => f.t === 'channel_delete');
    await expectRefused(httpA, socket, ann, channel, 'on A after delete');
    expect((await send(httpA, owner, channel, 'owner after delete')).status).toBe(404);
    socket.close();
  });
});
