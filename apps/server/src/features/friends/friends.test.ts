import type { FriendRequest, Friends, UserRef } from '@decentra/protocol';
import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Api, api } from '../../../test/http.js';
import { startTestServer, type TestServer } from '../../../test/test-server.js';
import { type Frame, TestSocket } from '../../../test/ws-client.js';

interface AuthBody {
  token: string;
  user: UserRef;
}
interface ErrorResponse {
  error: { code: string; message: string; details?: { reason?: string } };
}
interface Person {
  token: string;
  ref: UserRef;
  socket: TestSocket;
}

let server: TestServer;
let http: Api;
let admin: AuthBody;
let nameCounter = 0;
let rawUserId = 1_000_000;
const openSockets: TestSocket[] = [];

beforeAll(async () => {
  server = await startTestServer();
  http = api(server.url);
  admin = (await http.post<AuthBody>('/api/auth/signup', { username: 'root', password: 'password123' })).body;
});
afterEach(() => {
  for (const s of openSockets.splice(0)) s.close();
});
afterAll(() => server.close());

/** A new account, logged in on one identified socket. */
async function person(prefix = 'user'): Promise<Person> {
  const code = (await http.post<{ code: string }>('/api/invites', undefined, { token: admin.token })).body
    .code;
  const username = `${prefix}${++nameCounter}`;
  const res = await http.post<AuthBody>('/api/auth/signup', {
    username,
    password: 'password123',
    inviteCode: code,
  });
  expect(res.status).toBe(201);
  const { socket } = await TestSocket.identified(server.wsUrl, res.body.token);
  openSockets.push(socket);
  return {
    token: res.body.token,
    ref: { id: res.body.user.id, username: res.body.user.username },
    socket,
  };
}

/** A ping round trip: every frame sent to this socket before it has now arrived. */
async function settle(...people: Person[]): Promise<void> {
  await Promise.all(
    people.map(async (p) => {
      const from = p.socket.frames.length;
      p.socket.send({ op: 'ping' });
      await p.socket.next((f) => f.op === 'pong', 5_000, from);
    }),
  );
}

const friendEvents = (p: Person): Frame[] => p.socket.events().filter((f) => f.t?.startsWith('friend_'));
const summary = (p: Person) => friendEvents(p).map((f) => ({ t: f.t, d: f.d }));

const send = (from: Person, username: string) =>
  http.post<FriendRequest & ErrorResponse>('/api/friends/requests', { username }, { token: from.token });
const accept = (p: Person, id: string) =>
  http.post<UserRef & ErrorResponse>(`/api/friends/requests/${id}/accept`, undefined, { token: p.token });
const removeRequest = (p: Person, id: string) =>
  http.delete<ErrorResponse>(`/api/friends/requests/${id}`, { token: p.token });
const unfriend = (p: Person, userId: string) =>
  http.delete<ErrorResponse>(`/api/friends/${userId}`, { token: p.token });
const friendsOf = async (p: Person): Promise<Friends> => {
  const res = await http.get<Friends>('/api/friends', { token: p.token });
  expect(res.status).toBe(200);
  return res.body;
};

async function count(table: 'friend_requests' | 'friendships'): Promise<number> {
  const result = (await server.app.storage.db.execute(
    sql`select count(*)::int as n from ${sql.identifier(table)}`,
  )) as unknown as { rows: Array<{ n: number }> };
  return Number(result.rows[0]?.n);
}

async function makeFriends(a: Person, b: Person): Promise<void> {
  const req = await send(a, b.ref.username);
  expect(req.status).toBe(201);
  expect((await accept(b, req.body.id)).status).toBe(200);
}

describe('a friend request', () => {
  it('reaches both ends live, and accepting makes friends on both sides', async () => {
    const [alice, bob, carol] = [await person(), await person(), await person()];

    const sent = await send(alice, bob.ref.username.toUpperCase());
    expect(sent.status).toBe(201);
    const request = sent.body;
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

    const accepted = await accept(bob, request.id);
    expect(accepted.status).toBe(200);
    expect(accepted.body).toEqual(alice.ref);
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
    const { body: request } = await send(alice, bob.ref.username);

    expect((await removeRequest(bob, request.id)).status).toBe(204);
    await settle(alice, bob, carol);
    const gone = { t: 'friend_request_delete', d: { id: request.id } };
    expect(summary(alice).slice(1)).toEqual([gone]);
    expect(summary(bob).slice(1)).toEqual([gone]);
    expect(friendEvents(carol)).toEqual([]);
    expect(await friendsOf(alice)).toEqual({ friends: [], incoming: [], outgoing: [] });
    expect(await friendsOf(bob)).toEqual({ friends: [], incoming: [], outgoing: [] });
    expect((await removeRequest(bob, request.id)).status).toBe(404);
    expect((await accept(bob, request.id)).status).toBe(404);
  });

  it('can be cancelled by the sender', async () => {
    const [alice, bob, carol] = [await person(), await person(), await person()];
    const { body: request } = await send(alice, bob.ref.username);

    expect((await removeRequest(alice, request.id)).status).toBe(204);
    await settle(alice, bob, carol);
    const gone = { t: 'friend_request_delete', d: { id: request.id } };
    expect(summary(alice).slice(1)).toEqual([gone]);
    expect(summary(bob).slice(1)).toEqual([gone]);
    expect(friendEvents(carol)).toEqual([]);
    expect((await friendsOf(bob)).incoming).toEqual([]);
    // Once cancelled, asking again is allowed.
    expect((await send(alice, bob.ref.username)).status).toBe(201);
  });

  it('is accepted only by its receiver, and is invisible to anyone else', async () => {
    const [alice, bob, carol] = [await person(), await person(), await person()];
    const { body: request } = await send(alice, bob.ref.username);
    const before = await Promise.all([count('friend_requests'), count('friendships')]);

    const bySender = await accept(alice, request.id);
    expect(bySender.status).toBe(403);
    expect(bySender.body.error.code).toBe('forbidden');
    expect((await accept(carol, request.id)).status).toBe(404);
    expect((await removeRequest(carol, request.id)).status).toBe(404);
    expect((await accept(bob, '12345')).status).toBe(404);
    const badId = await accept(bob, 'abc');
    expect(badId.status).toBe(400);
    expect(badId.body.error.code).toBe('invalid_input');

    expect(await Promise.all([count('friend_requests'), count('friendships')])).toEqual(before);
    await settle(alice, bob, carol);
    expect(friendEvents(alice)).toHaveLength(1);
    expect(friendEvents(bob)).toHaveLength(1);
    expect(friendEvents(carol)).toEqual([]);
    expect((await friendsOf(bob)).incoming).toEqual([request]);
  });
});

describe('removing a friend', () => {
  it('tells both sides, and only once', async () => {
    const [alice, bob, carol] = [await person(), await person(), await person()];
    await makeFriends(alice, bob);
    await settle(alice, bob);
    const seen = [friendEvents(alice).length, friendEvents(bob).length];

    expect((await unfriend(alice, bob.ref.id)).status).toBe(204);
    await settle(alice, bob, carol);
    expect(summary(alice).slice(seen[0])).toEqual([{ t: 'friend_remove', d: { userId: bob.ref.id } }]);
    expect(summary(bob).slice(seen[1])).toEqual([{ t: 'friend_remove', d: { userId: alice.ref.id } }]);
    expect(friendEvents(carol)).toEqual([]);
    expect((await friendsOf(alice)).friends).toEqual([]);
    expect((await friendsOf(bob)).friends).toEqual([]);

    const again = await unfriend(bob, alice.ref.id);
    expect(again.status).toBe(404);
    expect(again.body.error.code).toBe('not_found');
    expect((await unfriend(bob, carol.ref.id)).status).toBe(404);
    expect((await unfriend(bob, 'x')).status).toBe(400);
  });
});

describe('asking someone who already asked you', () => {
  it('makes friends at once and answers their request', async () => {
    const [alice, bob, carol] = [await person(), await person(), await person()];
    const { body: first } = await send(alice, bob.ref.username);

    const mutual = await send(bob, alice.ref.username);
    expect(mutual.status).toBe(201);
    expect(mutual.body).toEqual(first);
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

    const answers = await Promise.all(
      pairs.flatMap(([a, b]) => [send(a, b.ref.username), send(b, a.ref.username)]),
    );
    expect(answers.map((r) => r.status)).toEqual(answers.map(() => 201));
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
  async function expectRefusal(
    attempt: Promise<{ status: number; body: ErrorResponse }>,
    status: number,
    code: string,
    reason?: string,
  ): Promise<void> {
    const res = await attempt;
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
    if (reason) expect(res.body.error.details?.reason).toBe(reason);
  }

  it('refuses yourself, unknown names, asking twice and asking a friend', async () => {
    const [alice, bob, carol] = [await person(), await person(), await person()];
    await makeFriends(alice, carol);
    const { body: pending } = await send(alice, bob.ref.username);
    await settle(alice, bob, carol);
    const seen = [alice, bob, carol].map((p) => friendEvents(p).length);
    const before = await Promise.all([count('friend_requests'), count('friendships')]);

    await expectRefusal(send(alice, alice.ref.username.toUpperCase()), 400, 'invalid_input', 'self');
    await expectRefusal(send(alice, 'nobody-by-that-name'), 404, 'not_found');
    await expectRefusal(send(alice, bob.ref.username), 409, 'conflict', 'already_requested');
    await expectRefusal(send(alice, carol.ref.username), 409, 'conflict', 'already_friends');
    await expectRefusal(send(carol, alice.ref.username), 409, 'conflict', 'already_friends');
    await expectRefusal(send(alice, ''), 400, 'invalid_input');
    await expectRefusal(send(alice, 'a\u0000b'), 400, 'invalid_input');
    await expectRefusal(
      http.post<ErrorResponse>(
        '/api/friends/requests',
        { username: bob.ref.username, extra: 1 },
        { token: alice.token },
      ),
      400,
      'invalid_input',
    );
    expect((await http.get('/api/friends')).status).toBe(401);
    expect((await http.post('/api/friends/requests', { username: bob.ref.username })).status).toBe(401);

    expect(await Promise.all([count('friend_requests'), count('friendships')])).toEqual(before);
    await settle(alice, bob, carol);
    expect([alice, bob, carol].map((p) => friendEvents(p).length)).toEqual(seen);
    expect((await friendsOf(bob)).incoming).toEqual([pending]);
  });

  it('limits pending outgoing requests to 25, even when sent all at once', async () => {
    const sender = await person('busy');
    const targets = await insertUsers('target', 30);

    const answers = await Promise.all(targets.map((name) => send(sender, name)));
    const created = answers.filter((r) => r.status === 201);
    const refused = answers.filter((r) => r.status === 403);
    expect(created).toHaveLength(25);
    expect(refused).toHaveLength(5);
    expect(refused[0]?.body.error.details).toEqual({ reason: 'outgoing_limit', limit: 25 });
    expect((await friendsOf(sender)).outgoing).toHaveLength(25);

    const [first, second] = targets.filter((_, i) => answers[i]?.status === 403);
    expect((await removeRequest(sender, created[0]?.body.id ?? '')).status).toBe(204);
    expect((await send(sender, first ?? '')).status).toBe(201);
    await expectRefusal(send(sender, second ?? ''), 403, 'forbidden', 'outgoing_limit');
  });
});

describe('ready', () => {
  it('carries friends, incoming and outgoing like GET /friends', async () => {
    const [alice, bob, carol, dave] = [await person(), await person(), await person(), await person()];
    await makeFriends(alice, bob);
    const { body: incoming } = await send(carol, alice.ref.username);
    const { body: outgoing } = await send(alice, dave.ref.username);

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
