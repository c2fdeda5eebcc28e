import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../test/manual-clock.js';
import { numbered, numberOf } from '../../test/numbered-events.js';
import { PASSWORD, type Person, people, restClient } from '../../test/people.js';
import { startTestServer, type TestServer } from '../../test/test-server.js';
import { type Frame, TestSocket } from '../../test/ws-client.js';
import { subscribe, unsubscribe } from '../kernel/events.js';
import type { SessionsChangedReason } from '../kernel/sessions.js';
import type { GatewaySession } from './session.js';

const BUFFER = 5;
const TTL_MS = 180_000;
const PING_INTERVAL_MS = 25_000;

/** Session lifetimes run on a clock the tests move by hand (no waiting for a TTL to pass). */
const clock = new ManualClock();
let server: TestServer;
let alice: Person;
let bob: Person;
let inviter: Person;

beforeAll(async () => {
  server = await startTestServer({
    clock,
    gateway: { replayBufferSize: BUFFER, sessionTtlMs: TTL_MS, pingIntervalMs: PING_INTERVAL_MS },
  });
  [inviter] = await people(server.url, ['admin']);
  alice = await signup('alice');
  bob = await signup('bob');
});
afterAll(() => server.close());

async function signup(username: string): Promise<Person> {
  const [person] = await people(server.url, [username], inviter);
  return person;
}

async function identified(token: string) {
  const { socket, ready } = await TestSocket.identified(server.wsUrl, token);
  return { socket, sessionId: ready.sessionId as string };
}

function publish(userId: string, ...ns: number[]) {
  return server.app.bus.publish(ns.map((n) => numbered(n, { kind: 'users', userIds: [userId] })));
}

function sessionOf(userId: string, sessionId: string): GatewaySession | undefined {
  return [...server.app.gateway.subscriptions.sessionsOfUser(userId)].find((s) => s.sessionId === sessionId);
}

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Kills the socket without a close frame, as a lost network would, and waits for the server to notice. */
async function drop(socket: TestSocket, userId: string, sessionId: string): Promise<void> {
  socket.ws.terminate();
  await until(() => sessionOf(userId, sessionId)?.detached === true);
}

async function resume(token: string | undefined, sessionId: string, seq: number, headers = {}) {
  const socket = await TestSocket.open(server.wsUrl, headers);
  socket.send({ op: 'resume', d: { ...(token ? { token } : {}), sessionId, seq } });
  await socket.next((f) => f.op === 'resumed' || f.op === 'invalid_session');
  return socket;
}

const ns = (frames: Frame[]) => frames.filter((f) => f.op === 'event').map(numberOf);
const seqs = (frames: Frame[]) => frames.filter((f) => f.op === 'event').map((f) => f.seq);
const ops = (frames: Frame[]) => frames.map((f) => f.op);

describe('resume', () => {
  it('replays exactly the events after the given seq, in order, then resumed, and seq continues', async () => {
    const { socket, sessionId } = await identified(alice.token);
    await publish(alice.id, 1, 2, 3);
    await socket.next((f) => f.seq === 3);
    await drop(socket, alice.id, sessionId);
    // The client claims seq 2: the third event was lost in flight with the socket.
    const again = await resume(alice.token, sessionId, 2);
    expect(ops(again.frames)).toEqual(['event', 'resumed']);
    expect(again.frames[0]).toEqual({
      op: 'event',
      seq: 3,
      t: 'typing_start',
      d: { channelId: '3', userId: '1', username: 'u1' },
    });
    await publish(alice.id, 4);
    await again.next((f) => f.seq === 4);
    expect(seqs(again.frames)).toEqual([3, 4]);
    again.close();
  });

  it('replays the events published while the socket was away', async () => {
    const { socket, sessionId } = await identified(alice.token);
    await publish(alice.id, 1);
    await socket.next((f) => f.seq === 1);
    await drop(socket, alice.id, sessionId);
    await publish(alice.id, 2, 3, 4);
    const again = await resume(alice.token, sessionId, 1);
    expect(ops(again.frames)).toEqual(['event', 'event', 'event', 'resumed']);
    expect(ns(again.frames)).toEqual([2, 3, 4]);
    expect(seqs(again.frames)).toEqual([2, 3, 4]);
    again.close();
  });

  it('replays a full buffer after a drop, and refuses once more happened than it holds', async () => {
    const full = await identified(alice.token);
    await drop(full.socket, alice.id, full.sessionId);
    await publish(alice.id, 1, 2, 3, 4, 5);
    const resumed = await resume(alice.token, full.sessionId, 0);
    expect(ns(resumed.frames)).toEqual([1, 2, 3, 4, 5]);
    expect(resumed.frames.at(-1)?.op).toBe('resumed');
    resumed.close();

    const over = await identified(alice.token);
    await drop(over.socket, alice.id, over.sessionId);
    await publish(alice.id, 1, 2, 3, 4, 5, 6);
    // Nothing can resume it any more, so it is gone at once rather than at its expiry.
    expect(sessionOf(alice.id, over.sessionId)).toBeUndefined();
    const refused = await resume(alice.token, over.sessionId, 0);
    expect(ops(refused.frames)).toEqual(['invalid_session']);
    // The client identifies afresh on the same socket.
    refused.send({ op: 'identify', d: { token: alice.token } });
    const ready = await refused.next((f) => f.op === 'ready');
    expect((ready.d as { sessionId: string }).sessionId).not.toBe(over.sessionId);
    refused.close();
  });

  it('refuses a seq older than the buffer or newer than anything sent', async () => {
    const { socket, sessionId } = await identified(alice.token);
    await publish(alice.id, 1, 2, 3, 4, 5, 6, 7);
    await socket.next((f) => f.seq === 7);
    await drop(socket, alice.id, sessionId);
    expect(ops((await resume(alice.token, sessionId, 9)).frames)).toEqual(['invalid_session']);
    // A refused resume ends the detached session, so even a good seq is now too late.
    expect(ops((await resume(alice.token, sessionId, 7)).frames)).toEqual(['invalid_session']);

    const other = await identified(alice.token);
    await publish(alice.id, 1, 2, 3, 4, 5, 6, 7);
    await other.socket.next((f) => f.seq === 7);
    await drop(other.socket, alice.id, other.sessionId);
    expect(ops((await resume(alice.token, other.sessionId, 1)).frames)).toEqual(['invalid_session']);
  });

  it('refuses a session detached for longer than its time to live', async () => {
    const { socket, sessionId } = await identified(alice.token);
    await drop(socket, alice.id, sessionId);
    clock.advance(TTL_MS);
    expect(sessionOf(alice.id, sessionId)).toBeDefined();
    clock.advance(PING_INTERVAL_MS);
    expect(sessionOf(alice.id, sessionId)).toBeUndefined();
    const refused = await resume(alice.token, sessionId, 0);
    expect(ops(refused.frames)).toEqual(['invalid_session']);
    refused.close();
  });

  it('refuses an unknown session', async () => {
    const refused = await resume(alice.token, 'no-such-session', 0);
    expect(ops(refused.frames)).toEqual(['invalid_session']);
    refused.close();
  });

  it("refuses another user's token, a bad token and no token, and the owner can still resume", async () => {
    const { socket, sessionId } = await identified(alice.token);
    await drop(socket, alice.id, sessionId);
    for (const token of [bob.token, 'not-a-token', undefined]) {
      const refused = await resume(token, sessionId, 0);
      expect(ops(refused.frames)).toEqual(['invalid_session']);
      refused.close();
    }
    const again = await resume(alice.token, sessionId, 0);
    expect(ops(again.frames)).toEqual(['resumed']);
    again.close();
  });

  it('refuses a token of another login session of the same user', async () => {
    const login = await restClient(server.url).login({ username: 'alice', password: PASSWORD });
    const { socket, sessionId } = await identified(alice.token);
    await drop(socket, alice.id, sessionId);
    const refused = await resume(login.token, sessionId, 0);
    expect(ops(refused.frames)).toEqual(['invalid_session']);
    refused.close();
  });

  it('accepts the session cookie in place of a token', async () => {
    const { socket, sessionId } = await identified(bob.token);
    await drop(socket, bob.id, sessionId);
    const again = await resume(undefined, sessionId, 0, { cookie: `decentra_session=${bob.token}` });
    expect(ops(again.frames)).toEqual(['resumed']);
    again.close();
  });

  it('is impossible after logout, for attached and detached sessions alike', async () => {
    const second = restClient(server.url);
    const { token } = await second.login({ username: 'bob', password: PASSWORD });
    const attached = await identified(token);
    const detached = await identified(token);
    await drop(detached.socket, bob.id, detached.sessionId);
    await second.logout();
    expect((await attached.socket.closed).code).toBe(4009);
    expect(sessionOf(bob.id, attached.sessionId)).toBeUndefined();
    expect(sessionOf(bob.id, detached.sessionId)).toBeUndefined();
    for (const sessionId of [attached.sessionId, detached.sessionId]) {
      const refused = await resume(token, sessionId, 0);
      expect(ops(refused.frames)).toEqual(['invalid_session']);
      refused.close();
    }
  });

  it('keeps several sessions of one user independent', async () => {
    const a1 = await identified(alice.token);
    await publish(alice.id, 1);
    const a2 = await identified(alice.token);
    await publish(alice.id, 2);
    await a1.socket.next((f) => f.seq === 2);
    await drop(a1.socket, alice.id, a1.sessionId);
    await publish(alice.id, 3);
    const resumed = await resume(alice.token, a1.sessionId, 2);
    expect(ns(resumed.frames)).toEqual([3]);
    expect(seqs(resumed.frames)).toEqual([3]);
    // The other socket saw its events live, numbered by its own session, and stays open.
    await a2.socket.next((f) => numberOf(f) === 3);
    expect(ns(a2.socket.frames)).toEqual([2, 3]);
    expect(seqs(a2.socket.frames)).toEqual([1, 2]);
    expect(a2.socket.ws.readyState).toBe(a2.socket.ws.OPEN);
    resumed.close();
    a2.socket.close();
  });

  it('moves a session that still has a socket to the resuming one, closing the old with 4010', async () => {
    const { socket, sessionId } = await identified(alice.token);
    await publish(alice.id, 1);
    await socket.next((f) => f.seq === 1);
    const taker = await resume(alice.token, sessionId, 0);
    expect(ops(taker.frames)).toEqual(['event', 'resumed']);
    expect((await socket.closed).code).toBe(4010);
    await publish(alice.id, 2);
    await taker.next((f) => f.seq === 2);
    expect(sessionOf(alice.id, sessionId)?.conn).toBeDefined();
    taker.close();
  });

  it.each([
    [1000, 'closes cleanly'],
    [1001, 'goes away (a browser closing, reloading or leaving the page)'],
  ])('ends the session at once when the client sends %i: it %s', async (code) => {
    const { socket, sessionId } = await identified(alice.token);
    socket.ws.close(code);
    await socket.closed;
    await until(() => sessionOf(alice.id, sessionId) === undefined);
    const refused = await resume(alice.token, sessionId, 0);
    expect(ops(refused.frames)).toEqual(['invalid_session']);
    refused.close();
  });

  it('refuses a resume on a socket that is already identified', async () => {
    const { socket, sessionId } = await identified(alice.token);
    const reply = await socket.request('resume', { token: alice.token, sessionId, seq: 0 });
    expect(reply).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    socket.close();
  });
});

describe('a detached session keeps its subscriptions current', () => {
  it('receives the events of a topic it joined while away, and none of one it left', async () => {
    const { socket, sessionId } = await identified(alice.token);
    const joined = { kind: 'channel', channelId: '1001' } as const;
    const left = { kind: 'channel', channelId: '1002' } as const;
    await server.app.bus.publish([subscribe([BigInt(alice.id)], left)]);
    await drop(socket, alice.id, sessionId);
    await server.app.bus.publish([
      subscribe([BigInt(alice.id)], joined),
      numbered(1, { kind: 'channel', channelId: joined.channelId }),
      unsubscribe([BigInt(alice.id)], left),
      numbered(2, { kind: 'channel', channelId: left.channelId }),
      numbered(3, { kind: 'channel', channelId: joined.channelId }),
    ]);
    const again = await resume(alice.token, sessionId, 0);
    expect(ns(again.frames)).toEqual([1, 3]);
    expect(seqs(again.frames)).toEqual([1, 2]);
    again.close();
  });
});

describe('identify', () => {
  it('sends events that happen while ready is being built right after ready, numbered from 1', async () => {
    const dave = await signup('dave');
    // The hook runs as the session begins, before ready is built: a publish there stands for an
    // event that happens meanwhile.
    const stop = server.app.gateway.watchSessions(({ userId, reason }) => {
      if (userId === BigInt(dave.id) && reason === 'identify') void publish(dave.id, 1);
    });
    const { socket } = await identified(dave.token);
    stop();
    await socket.next((f) => f.op === 'event');
    expect(ops(socket.frames)).toEqual(['ready', 'event']);
    expect(socket.frames[1]).toMatchObject({ seq: 1, d: { channelId: '1' } });
    socket.close();
  });
});

describe('sessions-changed hook', () => {
  it("tells when a user's sessions begin, drop, resume, close and expire", async () => {
    const carol = await signup('carol');
    const calls: Array<[number, SessionsChangedReason, number]> = [];
    const stop = server.app.gateway.watchSessions(({ userId, sessions, reason, attached }) => {
      if (userId === BigInt(carol.id)) calls.push([sessions, reason, attached]);
    });
    const first = await identified(carol.token);
    const second = await identified(carol.token);
    await drop(first.socket, carol.id, first.sessionId);
    const resumed = await resume(carol.token, first.sessionId, 0);
    resumed.ws.close(1000);
    await until(() => calls.length === 5);
    await drop(second.socket, carol.id, second.sessionId);
    expect(calls).toHaveLength(6);
    clock.advance(TTL_MS + PING_INTERVAL_MS);
    stop();
    expect(calls).toEqual([
      [1, 'identify', 1],
      [2, 'identify', 2],
      [2, 'detached', 1],
      [2, 'resume', 2],
      [1, 'closed', 1],
      [1, 'detached', 0],
      [0, 'expired', 0],
    ]);
  });
});
