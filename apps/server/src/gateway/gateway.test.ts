import type { Message } from '@decentra/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settled } from '../../test/barriers.js';
import { ManualClock } from '../../test/manual-clock.js';
import { numbered, numberOf } from '../../test/numbered-events.js';
import { PASSWORD, type Person, people, restClient, textChannelOf } from '../../test/people.js';
import { startTestServer, type TestServer } from '../../test/test-server.js';
import { TestSocket } from '../../test/ws-client.js';

const PING_INTERVAL_MS = 10_000;
const IDLE_TIMEOUT_MS = 60_000;
const IDENTIFY_TIMEOUT_MS = 10_000;

/** The server's time moves only when a test says so: keepalive and timeouts without sleeping. */
const clock = new ManualClock();
let server: TestServer;
let alice: Person;
let bob: Person;

beforeAll(async () => {
  server = await startTestServer({
    clock,
    gateway: {
      identifyTimeoutMs: IDENTIFY_TIMEOUT_MS,
      framesPerWindow: 40,
      frameWindowMs: 60_000,
      pingIntervalMs: PING_INTERVAL_MS,
      idleTimeoutMs: IDLE_TIMEOUT_MS,
    },
  });
  [alice, bob] = await people(server.url, ['alice', 'bob']);
});
afterAll(() => server.close());

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('identify', () => {
  it('answers a token with ready, carrying the contract fields', async () => {
    const { socket, ready } = await TestSocket.identified(server.wsUrl, alice.token);
    // The frame as sent (the typed `ready` is parsed, which would drop a field the contract lacks).
    const sent = socket.frames.find((f) => f.op === 'ready')?.d;
    expect(Object.keys(sent ?? {}).sort()).toEqual([
      'calls',
      'dms',
      'friends',
      'notificationOverrides',
      'presences',
      'readStates',
      'servers',
      'sessionId',
      'settings',
      'user',
      'voiceStates',
    ]);
    expect(ready.user).toMatchObject({ id: alice.id, username: 'alice', isAdmin: true });
    expect(typeof ready.sessionId).toBe('string');
    socket.close();
  });

  it('accepts the session cookie when no token is given', async () => {
    const socket = await TestSocket.open(server.wsUrl, { cookie: `decentra_session=${bob.token}` });
    socket.send({ op: 'identify', d: {} });
    const ready = await socket.next((f) => f.op === 'ready');
    expect((ready.d as { user: { username: string } }).user.username).toBe('bob');
    socket.close();
  });

  it('ignores the cookie of an upgrade from another origin', async () => {
    const socket = await TestSocket.open(server.wsUrl, {
      cookie: `decentra_session=${bob.token}`,
      origin: 'https://evil.example',
    });
    socket.send({ op: 'identify', d: {} });
    expect((await socket.closed).code).toBe(4001);
  });

  it('closes with 4001 on a bad token', async () => {
    const socket = await TestSocket.open(server.wsUrl);
    socket.send({ op: 'identify', d: { token: 'not-a-token' } });
    expect((await socket.closed).code).toBe(4001);
  });

  it('closes with 4001 when nobody identifies in time, and not before', async () => {
    const socket = await TestSocket.open(server.wsUrl);
    clock.advance(IDENTIFY_TIMEOUT_MS - 1);
    // Still open: an op is answered (with "identify first").
    expect(await socket.request('typing', { channelId: '1' })).toMatchObject({ ok: false });
    clock.advance(1);
    expect((await socket.closed).code).toBe(4001);
  });

  it('refuses ops before identify', async () => {
    const socket = await TestSocket.open(server.wsUrl);
    const reply = await socket.request('typing', { channelId: '1' });
    expect(reply).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    socket.close();
  });

  it('refuses a second identify on the same socket', async () => {
    const { socket } = await TestSocket.identified(server.wsUrl, alice.token);
    const reply = await socket.request('identify', { token: alice.token });
    expect(reply).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    socket.close();
  });

  it('tells a resume of an unknown session to identify afresh (invalid_session)', async () => {
    const socket = await TestSocket.open(server.wsUrl);
    socket.send({ op: 'resume', d: { token: alice.token, sessionId: 'x', seq: 3 } });
    await socket.next((f) => f.op === 'invalid_session');
    socket.close();
  });
});

describe('frames a client should not send', () => {
  it('answers malformed JSON and unknown ops with invalid_input, and the socket lives on', async () => {
    const { socket } = await TestSocket.identified(server.wsUrl, alice.token);
    socket.send('{not json');
    const bad = await socket.next((f) => f.op === 'reply');
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    const unknown = await socket.request('teleport', {});
    expect(unknown).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(unknown.error?.message).toMatch(/teleport/);
    const noOp = socket.frames.length;
    socket.send({ d: {}, ref: 'x1' });
    const shape = await socket.next((f) => f.op === 'reply' && f.ref === 'x1', 5_000, noOp);
    expect(shape.error?.code).toBe('invalid_input');
    const pong = socket.frames.length;
    socket.send({ op: 'ping' });
    await socket.next((f) => f.op === 'pong', 5_000, pong);
    socket.close();
  });

  it('closes with 4002 on a binary frame', async () => {
    const { socket } = await TestSocket.identified(server.wsUrl, alice.token);
    socket.ws.send(Buffer.from([1, 2, 3]));
    expect((await socket.closed).code).toBe(4002);
  });

  it('closes a frame over 16 KiB (1009) without harm to others', async () => {
    const { socket } = await TestSocket.identified(server.wsUrl, alice.token);
    const { socket: other } = await TestSocket.identified(server.wsUrl, bob.token);
    socket.send({ op: 'ping', d: { pad: 'x'.repeat(17 * 1024) } });
    expect((await socket.closed).code).toBe(1009);
    const before = other.frames.length;
    other.send({ op: 'ping' });
    await other.next((f) => f.op === 'pong', 5_000, before);
    other.close();
  });

  it('closes with 4008 past the frame budget', async () => {
    const { socket } = await TestSocket.identified(server.wsUrl, alice.token);
    for (let i = 0; i < 60; i++) socket.send({ op: 'ping' });
    expect((await socket.closed).code).toBe(4008);
  });

  it('gives voice signals a budget of their own, so a busy mesh call keeps its socket', async () => {
    const { socket } = await TestSocket.identified(server.wsUrl, alice.token);
    const signal = { to: '1', payload: { candidate: null } };
    // Far past the ordinary budget (40 here): each is refused (no call with user 1), none closes.
    for (let i = 0; i < 100; i++) socket.send({ op: 'voice_signal', ref: `s${i}`, d: signal });
    await socket.next((f) => f.op === 'reply' && f.ref === 's99');
    await settled(socket);
    expect(socket.ws.readyState).toBe(socket.ws.OPEN);
    // Ordinary frames still have theirs.
    for (let i = 0; i < 60; i++) socket.send({ op: 'ping' });
    expect((await socket.closed).code).toBe(4008);
  });

  it('survives a barrage of garbage from many sockets', async () => {
    const garbage = [
      '',
      'null',
      '[]',
      '"str"',
      '123',
      '{"op":null}',
      '{"op":{}}',
      '{"op":"identify","d":"x"}',
      '{"op":"identify","d":{"token":5}}',
      '{"op":"resume","d":{}}',
      `{"op":"x","ref":"${'r'.repeat(500)}"}`,
      '{"op":"send_message","d":{"channelId":"1"}}',
      '\u0000\u0001',
      '{"__proto__":{"op":"ready"}}',
    ];
    const sockets = await Promise.all(Array.from({ length: 5 }, () => TestSocket.open(server.wsUrl)));
    for (const s of sockets) for (const g of garbage) s.send(g);
    // Each socket answers a ping after all its garbage: every frame was handled, none took it down.
    for (const s of sockets) await settled(s);
    for (const s of sockets) s.close();
    expect(await restClient(server.url).ready()).toEqual({ status: 'ok', database: 'ok', bus: 'none' });
    const { socket } = await TestSocket.identified(server.wsUrl, alice.token);
    socket.close();
  });
});

describe('keepalive', () => {
  it('pings every interval, and keeps a socket that answers however long it lasts', async () => {
    const { socket } = await TestSocket.identified(server.wsUrl, alice.token);
    let pings = 0;
    socket.ws.on('ping', () => pings++);
    // Ten intervals, well past the idle timeout: each ping is answered (ws pongs by itself).
    for (let round = 1; round <= 10; round++) {
      clock.advance(PING_INTERVAL_MS);
      await until(() => pings >= round);
    }
    await settled(socket);
    expect(socket.ws.readyState).toBe(socket.ws.OPEN);
    socket.close();
  });

  it('drops a socket that stays silent past the idle timeout, and not before', async () => {
    const { socket, ready } = await TestSocket.identified(server.wsUrl, alice.token);
    const dropped: string[] = [];
    const stop = server.app.gateway.watchSessions((change) => {
      if (change.reason === 'detached') dropped.push(change.sessionId);
    });
    // Stop answering pings, as a dead peer would.
    (socket.ws as unknown as { pong: () => void }).pong = () => {};
    clock.advance(IDLE_TIMEOUT_MS);
    // Any drop by that sweep is told at once (the socket's close event comes before the next
    // frame is read): after another socket's round trip, none was.
    const { socket: witness } = await TestSocket.identified(server.wsUrl, bob.token);
    await settled(witness);
    expect(dropped).toEqual([]);
    clock.advance(PING_INTERVAL_MS);
    expect((await socket.closed).code).toBe(1006);
    await until(() => dropped.length === 1);
    expect(dropped).toEqual([ready.sessionId]);
    stop();
    witness.close();
  });
});

describe('the event path', () => {
  it('delivers an event only to the sockets of its audience, with seq rising by one per socket', async () => {
    const a1 = await TestSocket.identified(server.wsUrl, alice.token);
    const a2 = await TestSocket.identified(server.wsUrl, alice.token);
    const b1 = await TestSocket.identified(server.wsUrl, bob.token);
    await server.app.bus.publish([
      numbered(1, { kind: 'users', userIds: [alice.id] }),
      numbered(2, { kind: 'users', userIds: [alice.id] }),
    ]);
    for (const { socket } of [a1, a2]) {
      const second = await socket.next((f) => numberOf(f) === 2);
      const events = socket.events('typing_start');
      expect(events.map((e) => e.seq)).toEqual([1, 2]);
      expect(second).toEqual({
        op: 'event',
        seq: 2,
        t: 'typing_start',
        d: { channelId: '2', userId: '1', username: 'u1' },
      });
    }
    await server.app.bus.publish([numbered(3, { kind: 'users', userIds: [bob.id] })]);
    await b1.socket.next((f) => f.op === 'event');
    expect(b1.socket.events()).toHaveLength(1);
    expect(a1.socket.events()).toHaveLength(2);
    for (const s of [a1, a2, b1]) s.socket.close();
  });
});

describe('logout', () => {
  it('closes the sockets of that session with 4009 and leaves other sessions open', async () => {
    const second = restClient(server.url);
    const login = await second.login({ username: 'bob', password: PASSWORD });
    const doomed = await TestSocket.identified(server.wsUrl, login.token);
    const survivor = await TestSocket.identified(server.wsUrl, bob.token);
    await second.logout();
    expect((await doomed.socket.closed).code).toBe(4009);
    const before = survivor.socket.frames.length;
    survivor.socket.send({ op: 'ping' });
    await survivor.socket.next((f) => f.op === 'pong', 5_000, before);
    survivor.socket.close();
    const again = await TestSocket.open(server.wsUrl);
    again.send({ op: 'identify', d: { token: login.token } });
    expect((await again.closed).code).toBe(4001);
  });
});

describe('upgrade', () => {
  it('is only served at /ws', async () => {
    await expect(TestSocket.open(server.wsUrl.replace(/\/ws$/, '/other'))).rejects.toThrow();
  });
});

describe('a client that writes faster than its frames are handled', () => {
  const FRAMES = 300;
  let busy: TestServer;

  beforeAll(async () => {
    busy = await startTestServer({
      gateway: { framesPerWindow: 10_000, frameWindowMs: 60_000 },
      sendLimits: { points: 10_000, windowSeconds: 60 },
    });
  });
  afterAll(() => busy.close());

  it('gets every answer, in order, while other sockets are still served', async () => {
    const [owner, other] = await people(busy.url, ['flood-owner', 'flood-other']);
    const channel = textChannelOf(await owner.rest.createServer({ name: 'Flood' }));
    const { socket } = await TestSocket.identified(busy.wsUrl, owner.token);
    const { socket: bystander } = await TestSocket.identified(busy.wsUrl, other.token);

    // All of them in one go: far more than the 16 the server reads ahead before pausing the socket.
    const from = socket.frames.length;
    for (let i = 0; i < FRAMES; i++) {
      socket.send({
        op: 'send_message',
        d: { channelId: channel, content: `f${i}`, nonce: `f${i}` },
        ref: `f${i}`,
      });
    }
    for (let i = 0; i < FRAMES; i++) socket.send({ op: 'ping' });
    // Meanwhile another socket is answered, and so is plain HTTP.
    const pong = bystander.frames.length;
    bystander.send({ op: 'ping' });
    await bystander.next((f) => f.op === 'pong', 10_000, pong);
    expect(await owner.rest.ready()).toEqual({ status: 'ok', database: 'ok', bus: 'none' });
    // ...not after the flood: the busy socket is still being worked through.
    expect(socket.frames.slice(from).filter((f) => f.op === 'reply').length).toBeLessThan(FRAMES);

    await socket.next(
      () => socket.frames.slice(from).filter((f) => f.op === 'pong').length === FRAMES,
      20_000,
    );
    const replies = socket.frames.slice(from).filter((f) => f.op === 'reply');
    expect(replies.map((f) => f.ref)).toEqual(Array.from({ length: FRAMES }, (_, i) => `f${i}`));
    for (const r of replies) expect(r.ok, JSON.stringify(r)).toBe(true);
    expect(replies.map((f) => (f.d as Message).content)).toEqual(
      Array.from({ length: FRAMES }, (_, i) => `f${i}`),
    );
    // Every pong comes after every reply: the socket's frames were handled in the order written.
    const answers = socket.frames
      .slice(from)
      .flatMap((f) => (f.op === 'reply' || f.op === 'pong' ? [f.op] : []));
    expect(answers).toEqual([...Array<string>(FRAMES).fill('reply'), ...Array<string>(FRAMES).fill('pong')]);
    expect(socket.ws.readyState).toBe(socket.ws.OPEN);

    // Stored in the order written, all of them.
    const stored: string[] = [];
    let before: string | undefined;
    for (;;) {
      const page = await owner.rest.listMessages({
        channelId: channel,
        limit: 100,
        ...(before ? { before } : {}),
      });
      if (page.length === 0) break;
      stored.unshift(...page.map((m) => m.content));
      before = page[0]?.id;
    }
    expect(stored).toEqual(Array.from({ length: FRAMES }, (_, i) => `f${i}`));
    socket.close();
    bystander.close();
  });
});
