import type { FriendRequest, Friends, UserRef } from '@decentra/protocol';
import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { settled } from '../../../test/barriers.js';
import { api } from '../../../test/http.js';
import { type Person, people, refused, restClient } from '../../../test/people.js';
import { startTestServer, type TestServer } from '../../../test/test-server.js';
import { type Frame, TestSocket } from '../../../test/ws-client.js';

/** A person logged in on one identified socket, with the `{id, username}` events carry. */
interface Online extends Person {
  ref: UserRef;
  socket: TestSocket;
}

let server: TestServer;
let admin: Person;
let nameCounter = 0;
let rawUserId = 1_000_000;
const openSockets: TestSocket[] = [];

beforeAll(async () => {
  server = await startTestServer();
  [admin] = await people(server.url, ['root']);
});
afterEach(() => {
  for (const s of openSockets.splice(0)) s.close();
});
afterAll(() => server.close());

/** A new account, logged in on one identified socket. */
async function person(prefix = 'user'): Promise<Online> {
  const [p] = await people(server.url, [`${prefix}${++nameCounter}`], admin);
  const { socket } = await TestSocket.identified(server.wsUrl, p.token);
  openSockets.push(socket);
  return { ...p, ref: { id: p.id, username: p.username }, socket };
}

/** A ping round trip: every frame sent to these sockets before it has now arrived. */
const settle = (...them: Online[]): Promise<void> => settled(...them.map((p) => p.socket));

const friendEvents = (p: Online): Frame[] => p.socket.events().filter((f) => f.t?.startsWith('friend_'));
const summary = (p: Online) => friendEvents(p).map((f) => ({ t: f.t, d: f.d }));

const send = (from: Person, username: string): Promise<FriendRequest> =>
  from.rest.sendFriendRequest({ username });
const accept = (p: Person, requestId: string): Promise<UserRef> => p.rest.acceptFriendRequest({ requestId });
const removeRequest = (p: Person, requestId: string) => p.rest.deleteFriendRequest({ requestId });
const unfriend = (p: Person, userId: string) => p.rest.removeFriend({ userId });
const friendsOf = (p: Person): Promise<Friends> => p.rest.listFriends();

async function count(table: 'friend_requests' | 'friendships'): Promise<number> {
  const result = (await server.app.storage.db.execute(
    sql`select count(*)::int as n from ${sql.identifier(table)}`,
  )) as unknown as { rows: Array<{ n: number }> };
  return Number(result.rows[0]?.n);
}

async function makeFriends(a: Online, b: Online): Promise<void> {
  const request = await send(a, b.username);
  expect(await accept(b, request.id)).toEqual(a.ref);
}

/** The refusal `attempt` ends in: its status, code and (when given) reason. */
async function expectRefusal(attempt: Promise<unknown>, status: number, code: string, reason?: string) {
  const err = await refused(attempt);
  expect([err.status, err.code]).toEqual([status, code]);
  if (reason) expect(err.reason).toBe(reason);
}

describe('a friend request', () => {
  it('reaches both ends live', async () => {
    const [alice, bob] = [await person(), await person()];
    const request = await send(alice, bob.username.toUpperCase());
    expect(request).toEqual({
      id: expect.stringMatching(/^[1-9][0-9]+$/),
      from: alice.ref,
      to: bob.ref,
      createdAt: expect.any(String),
    });
    expect(Date.parse(request.createdAt)).not.toBeNaN();
    await settle(alice, bob);
    expect(summary(bob)).toEqual([{ t: 'friend_request_create', d: request }]);
    expect(summary(alice)).toEqual([{ t: 'friend_request_create', d: request }]);
    expect(await friendsOf(alice)).toEqual({ friends: [], incoming: [], outgoing: [request] });
    expect(await friendsOf(bob)).toEqual({ friends: [], incoming: [request], outgoing: [] });
  });

  it('once accepted makes friends on both sides, and only they hear of it', async () => {
    const [alice, bob, carol] = [await person(), await person(), await person()];
    const request = await send(alice, bob.username);
    expect(await accept(bob, request.id)).toEqual(alice.ref);
    await settle(alice, bob, carol);
    const gone = { t: 'friend_request_delete', d: { id: request.id } };
    expect(summary(alice).slice(1)).toEqual([gone, { t: 'friend_add', d: bob.ref }]);
    expect(summary(bob).slice(1)).toEqual([gone, { t: 'friend_add', d: alice.ref }]);
    expect(friendEvents(carol)).toEqual([]);
    expect(await friendsOf(alice)).toEqual({ friends: [bob.ref], incoming: [], outgoing: [] });
    expect(await friendsOf(bob)).toEqual({ friends: [alice.ref], incoming: [], outgoing: [] });
  });

  it('can be declined by the receiver', async () => {
    const [alice, bob, carol] = [await person(), await person(), await person()];
    const request = await send(alice, bob.username);

    await removeRequest(bob, request.id);
    await settle(alice, bob, carol);
    const gone = { t: 'friend_request_delete', d: { id: request.id } };
    expect(summary(alice).slice(1)).toEqual([gone]);
    expect(summary(bob).slice(1)).toEqual([gone]);
    expect(friendEvents(carol)).toEqual([]);
    expect(await friendsOf(alice)).toEqual({ friends: [], incoming: [], outgoing: [] });
    expect(await friendsOf(bob)).toEqual({ friends: [], incoming: [], outgoing: [] });
    expect((await refused(removeRequest(bob, request.id))).status).toBe(404);
    expect((await refused(accept(bob, request.id))).status).toBe(404);
  });

  it('can be cancelled by the sender', async () => {
    const [alice, bob, carol] = [await person(), await person(), await person()];
    const request = await send(alice, bob.username);

    await removeRequest(alice, request.id);
    await settle(alice, bob, carol);
    const gone = { t: 'friend_request_delete', d: { id: request.id } };
    expect(summary(alice).slice(1)).toEqual([gone]);
    expect(summary(bob).slice(1)).toEqual([gone]);
    expect(friendEvents(carol)).toEqual([]);
    expect((await friendsOf(bob)).incoming).toEqual([]);
    // Once cancelled, asking again is allowed.
    expect((await send(alice, bob.username)).to).toEqual(bob.ref);
  });

  it('is accepted only by its receiver, and is invisible to anyone else', async () => {
    const [alice, bob, carol] = [await person(), await person(), await person()];
    const request = await send(alice, bob.username);
    const before = await Promise.all([count('friend_requests'), count('friendships')]);

    await expectRefusal(accept(alice, request.id), 403, 'forbidden');
    expect((await refused(accept(carol, request.id))).status).toBe(404);
    expect((await refused(removeRequest(carol, request.id))).status).toBe(404);
    expect((await refused(accept(bob, '12345'))).status).toBe(404);
    await expectRefusal(accept(bob, 'abc'), 400, 'invalid_input');

    expect(await Promise.all([count('friend_requests'), count('friendships')])).toEqual(before);
    await settle(alice, bob, carol);
    expect(friendEvents(alice)).toHaveLength(1);
    expect(friendEvents(bob)).toHaveLength(1);
    expect(friendEvents(carol)).toEqual([]);
    expect((await friendsOf(bob)).incoming).toEqual([request]);
  });
});

describe('pending requests in ready', () => {
  it('lists each request on both ends, whoever identifies at the same moment', async () => {
    const [alice, bob, carol] = [await person(), await person(), await person()];
    const toBob = await send(alice, bob.username);
    const toCarol = await send(bob, carol.username);
    // All three at once: their ready reads are made together.
    const open = (p: Person) => TestSocket.identified(server.wsUrl, p.token);
    const [a, b, c] = await Promise.all([open(alice), open(bob), open(carol)]);
    openSockets.push(a.socket, b.socket, c.socket);
    expect(a.ready.friends).toEqual({ friends: [], incoming: [], outgoing: [toBob] });
    expect(b.ready.friends).toEqual({ friends: [], incoming: [toBob], outgoing: [toCarol] });
    expect(c.ready.friends).toEqual({ friends: [], incoming: [toCarol], outgoing: [] });
  });
});

describe('removing a friend', () => {
  it('tells both sides, and only once', async () => {
    const [alice, bob, carol] = [await person(), await person(), await person()];
    await makeFriends(alice, bob);
    await settle(alice, bob);
    const seen = [friendEvents(alice).length, friendEvents(bob).length];

    await unfriend(alice, bob.id);
    await settle(alice, bob, carol);
    expect(summary(alice).slice(seen[0])).toEqual([{ t: 'friend_remove', d: { userId: bob.id } }]);
    expect(summary(bob).slice(seen[1])).toEqual([{ t: 'friend_remove', d: { userId: alice.id } }]);
    expect(friendEvents(carol)).toEqual([]);
    expect((await friendsOf(alice)).friends).toEqual([]);
    expect((await friendsOf(bob)).friends).toEqual([]);
  });

  it('is refused when there is no such friend, or no such id', async () => {
    const [alice, bob, carol] = [await person(), await person(), await person()];
    await makeFriends(alice, bob);
    await unfriend(alice, bob.id);
    await expectRefusal(unfriend(bob, alice.id), 404, 'not_found');
    expect((await refused(unfriend(bob, carol.id))).status).toBe(404);
    expect((await refused(unfriend(bob, 'x'))).status).toBe(400);
  });
});

describe('asking someone who already asked you', () => {
  it('makes friends at once and answers their request', async () => {
    const [alice, bob, carol] = [await person(), await person(), await person()];
    const first = await send(alice, bob.username);

    expect(await send(bob, alice.username)).toEqual(first);
    await settle(alice, bob, carol);
    const gone = { t: 'friend_request_delete', d: { id: first.id } };
    expect(summary(alice).slice(1)).toEqual([gone, { t: 'friend_add', d: bob.ref }]);
    expect(summary(bob).slice(1)).toEqual([gone, { t: 'friend_add', d: alice.ref }]);
    expect(friendEvents(carol)).toEqual([]);
    expect(await friendsOf(alice)).toEqual({ friends: [bob.ref], incoming: [], outgoing: [] });
    expect(await friendsOf(bob)).toEqual({ friends: [alice.ref], incoming: [], outgoing: [] });
  });

  it('ends as friends exactly once when both ask at the same moment', async () => {
    const pairs = await Promise.all(
      Array.from({ length: 6 }, async () => [await person('race'), await person('race')] as const),
    );
    const requestsBefore = await count('friend_requests');
    const friendshipsBefore = await count('friendships');

    // Every one of the twelve is answered with a request (a refusal fails here).
    await Promise.all(pairs.flatMap(([a, b]) => [send(a, b.username), send(b, a.username)]));
    expect(await count('friend_requests')).toBe(requestsBefore);
    expect(await count('friendships')).toBe(friendshipsBefore + pairs.length);
    for (const [a, b] of pairs) {
      await settle(a, b);
      expect(friendEvents(a).filter((f) => f.t === 'friend_add')).toEqual([
        expect.objectContaining({ d: b.ref }),
      ]);
      expect(friendEvents(b).filter((f) => f.t === 'friend_add')).toEqual([
        expect.objectContaining({ d: a.ref }),
      ]);
      expect((await friendsOf(a)).friends).toEqual([b.ref]);
    }
  });
});

describe('refusals change nothing', () => {
  it('refuses yourself, unknown names, asking twice and asking a friend', async () => {
    const [alice, bob, carol] = [await person(), await person(), await person()];
    await makeFriends(alice, carol);
    const pending = await send(alice, bob.username);
    await settle(alice, bob, carol);
    const seen = [alice, bob, carol].map((p) => friendEvents(p).length);
    const before = await Promise.all([count('friend_requests'), count('friendships')]);

    await expectRefusal(send(alice, alice.username.toUpperCase()), 400, 'invalid_input', 'self');
    await expectRefusal(send(alice, 'nobody-by-that-name'), 404, 'not_found');
    await expectRefusal(send(alice, bob.username), 409, 'conflict', 'already_requested');
    await expectRefusal(send(alice, carol.username), 409, 'conflict', 'already_friends');
    await expectRefusal(send(carol, alice.username), 409, 'conflict', 'already_friends');
    await expectRefusal(send(alice, ''), 400, 'invalid_input');
    await expectRefusal(send(alice, 'a\u0000b'), 400, 'invalid_input');
    // An unknown field: the SDK's types would not let it through.
    const extra = await api(server.url).post<{ error: { code: string } }>(
      '/api/friends/requests',
      { username: bob.username, extra: 1 },
      { token: alice.token },
    );
    expect([extra.status, extra.body.error.code]).toEqual([400, 'invalid_input']);
    // Nobody logged in.
    const anonymous = restClient(server.url);
    await expectRefusal(anonymous.listFriends(), 401, 'unauthorized');
    await expectRefusal(anonymous.sendFriendRequest({ username: bob.username }), 401, 'unauthorized');

    expect(await Promise.all([count('friend_requests'), count('friendships')])).toEqual(before);
    await settle(alice, bob, carol);
    expect([alice, bob, carol].map((p) => friendEvents(p).length)).toEqual(seen);
    expect((await friendsOf(bob)).incoming).toEqual([pending]);
  });

  it('limits pending outgoing requests to 25, even when sent all at once', async () => {
    const sender = await person('busy');
    const targets = await insertUsers('target', 30);

    const answers = await Promise.allSettled(targets.map((name) => send(sender, name)));
    const created = answers.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const refusals = answers.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
    expect(created).toHaveLength(25);
    expect(refusals.map((e) => e.status)).toEqual([403, 403, 403, 403, 403]);
    expect(refusals[0]?.details).toEqual({ reason: 'outgoing_limit', limit: 25 });
    expect((await friendsOf(sender)).outgoing).toHaveLength(25);

    const [first, second] = targets.filter((_, i) => answers[i]?.status === 'rejected');
    await removeRequest(sender, created[0]?.id ?? '');
    expect((await send(sender, first ?? '')).to.username).toBe(first);
    await expectRefusal(send(sender, second ?? ''), 403, 'forbidden', 'outgoing_limit');
  });
});

describe('ready', () => {
  it('carries friends, incoming and outgoing like GET /friends', async () => {
    const [alice, bob, carol, dave] = [await person(), await person(), await person(), await person()];
    await makeFriends(alice, bob);
    const incoming = await send(carol, alice.username);
    const outgoing = await send(alice, dave.username);

    const { socket, ready } = await TestSocket.identified(server.wsUrl, alice.token);
    openSockets.push(socket);
    expect(ready.friends).toEqual({ friends: [bob.ref], incoming: [incoming], outgoing: [outgoing] });
    expect(ready.friends).toEqual(await friendsOf(alice));
  });
});

/** Accounts that never log in, straight into the table (cheaper than 30 signups). */
async function insertUsers(prefix: string, n: number): Promise<string[]> {
  const names = Array.from({ length: n }, (_, i) => `${prefix}${++nameCounter}_${i}`);
  for (const name of names) {
    await server.app.storage.db.execute(
      sql`insert into users (id, username, password_hash) values (${String(++rawUserId)}::bigint, ${name}, 'x')`,
    );
  }
  return names;
}
