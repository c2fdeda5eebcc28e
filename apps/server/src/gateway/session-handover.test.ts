import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { numbered, numberOf } from '../../test/numbered-events.js';
import { type Person, people, serverWith, textChannelOf, voiceChannelOf } from '../../test/people.js';
import { createTestDatabase, ENGINE, type TestDatabase } from '../../test/test-db.js';
import { startTestServer, type TestServer } from '../../test/test-server.js';
import { type Frame, TestSocket } from '../../test/ws-client.js';
import type { SessionsChangedReason } from '../kernel/sessions.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const BUFFER = 50;

/**
 * Resume on another instance: two instances on one PostgreSQL database and one Redis (PGlite
 * cannot be shared between instances, so this runs on the postgres project only).
 */
describe.runIf(ENGINE === 'postgres')('a session made on one instance, resumed on another', () => {
  let db: TestDatabase;
  let a: TestServer;
  let b: TestServer;
  let alice: Person;
  let bob: Person;
  const redisPrefix = `test:${randomUUID()}:`;

  beforeAll(async () => {
    db = await createTestDatabase();
    const options = {
      db,
      redisPrefix,
      config: { redisUrl: REDIS_URL },
      gateway: { replayBufferSize: BUFFER },
    };
    a = await startTestServer(options);
    b = await startTestServer(options);
    [alice, bob] = await people(a.url, ['alice', 'bob']);
  });
  afterAll(async () => {
    await b?.close({ keepData: true });
    await a?.close();
  });

  const sessionOn = (server: TestServer, userId: string, sessionId: string) =>
    [...server.app.gateway.subscriptions.sessionsOfUser(userId)].find((s) => s.sessionId === sessionId);

  async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error('condition not met in time');
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Published once, through Redis, to every instance (which one publishes does not matter). */
  const publish = (userId: string, ...ns: number[]) =>
    a.app.bus.publish(ns.map((n) => numbered(n, { kind: 'users', userIds: [userId] })));

  async function drop(socket: TestSocket, on: TestServer, userId: string, sessionId: string) {
    socket.ws.terminate();
    await until(() => sessionOn(on, userId, sessionId)?.detached === true);
  }

  async function resume(on: TestServer, token: string, sessionId: string, seq: number) {
    const socket = await TestSocket.open(on.wsUrl);
    socket.send({ op: 'resume', d: { token, sessionId, seq } });
    await socket.next((f) => f.op === 'resumed' || f.op === 'invalid_session');
    return socket;
  }

  const ops = (frames: Frame[]) => frames.map((f) => f.op);
  const ns = (frames: Frame[]) => frames.filter((f) => f.op === 'event').map(numberOf);
  const seqs = (frames: Frame[]) => frames.filter((f) => f.op === 'event').map((f) => f.seq);

  it('replays what happened while away, numbered on, then the other instance delivers', async () => {
    const { socket, ready } = await TestSocket.identified(a.wsUrl, alice.token);
    const sessionId = ready.sessionId;
    await publish(alice.id, 1, 2, 3);
    await socket.next((f) => f.seq === 3);
    await drop(socket, a, alice.id, sessionId);
    await publish(alice.id, 4, 5);

    // The client saw 2: the third was lost in flight with the socket.
    const again = await resume(b, alice.token, sessionId, 2);
    expect(ops(again.frames)).toEqual(['event', 'event', 'event', 'resumed']);
    expect(ns(again.frames)).toEqual([3, 4, 5]);
    expect(seqs(again.frames)).toEqual([3, 4, 5]);
    expect(sessionOn(a, alice.id, sessionId)).toBeUndefined();
    expect(sessionOn(b, alice.id, sessionId)?.conn).toBeDefined();

    await publish(alice.id, 6, 7);
    await again.next((f) => f.seq === 7);
    expect(ns(again.frames)).toEqual([3, 4, 5, 6, 7]);
    expect(seqs(again.frames)).toEqual([3, 4, 5, 6, 7]);
    again.close();
  });

  it('keeps no gap and no duplicate when events are published while the session moves', async () => {
    const { socket, ready } = await TestSocket.identified(a.wsUrl, alice.token);
    const sessionId = ready.sessionId;
    await drop(socket, a, alice.id, sessionId);
    // Events before, during and after the claim's place on the bus: each instance numbers its share.
    const publishing = (async () => {
      for (let n = 1; n <= 40; n++) await publish(alice.id, n);
    })();
    const again = await resume(b, alice.token, sessionId, 0);
    await publishing;
    expect(ops(again.frames)).toContain('resumed');
    await again.next((f) => numberOf(f) === 40);
    expect(ns(again.frames)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(seqs(again.frames)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    again.close();
  }, 20_000);

  it('closes a socket still attached on the holder with 4010, and moves back again', async () => {
    const { socket, ready } = await TestSocket.identified(a.wsUrl, alice.token);
    const sessionId = ready.sessionId;
    await publish(alice.id, 1);
    await socket.next((f) => f.seq === 1);
    const onB = await resume(b, alice.token, sessionId, 1);
    expect(ops(onB.frames)).toEqual(['resumed']);
    expect((await socket.closed).code).toBe(4010);
    await publish(alice.id, 2);
    await onB.next((f) => f.seq === 2);

    const onA = await resume(a, alice.token, sessionId, 1);
    expect(ops(onA.frames)).toEqual(['event', 'resumed']);
    expect(seqs(onA.frames)).toEqual([2]);
    expect((await onB.closed).code).toBe(4010);
    await publish(alice.id, 3);
    await onA.next((f) => f.seq === 3);
    expect(ns(onA.frames)).toEqual([2, 3]);
    onA.close();
  });

  it("keeps the session's servers: a message there reaches it once, from the new instance", async () => {
    const guild = await serverWith(alice, 'moving', [bob]);
    const { socket, ready } = await TestSocket.identified(a.wsUrl, alice.token);
    await drop(socket, a, alice.id, ready.sessionId);
    const again = await resume(b, alice.token, ready.sessionId, 0);
    expect(ops(again.frames)).toEqual(['resumed']);
    const sent = await bob.rest.sendMessage({ channelId: textChannelOf(guild), content: 'hello' });
    await again.nextEvent('message_create', (d) => d.id === sent.id);
    const creates = again.frames.filter((f) => f.t === 'message_create');
    expect(creates).toHaveLength(1);
    again.close();
  });

  it('hears of a server joined while the session was moving', async () => {
    const { socket, ready } = await TestSocket.identified(a.wsUrl, bob.token);
    await drop(socket, a, bob.id, ready.sessionId);
    const guild = await alice.rest.createServer({ name: 'joined while away' });
    const { code } = await alice.rest.createServerInvite({ serverId: guild.id });
    await bob.rest.joinServer({ inviteCode: code });
    const again = await resume(b, bob.token, ready.sessionId, 0);
    expect(ops(again.frames)).toContain('resumed');
    expect(again.frames.some((f) => f.t === 'server_create')).toBe(true);
    const sent = await alice.rest.sendMessage({ channelId: textChannelOf(guild), content: 'welcome' });
    await again.nextEvent('message_create', (d) => d.id === sent.id);
    again.close();
  });

  it('leaves the voice channel at once when the session moves (voice stays on its instance)', async () => {
    const guild = await serverWith(alice, 'voice moving', [bob]);
    const voiceChannel = voiceChannelOf(guild);
    const { socket: watching } = await TestSocket.identified(b.wsUrl, bob.token);
    const { socket, ready } = await TestSocket.identified(a.wsUrl, alice.token);
    expect((await socket.request('voice_join', { channelId: voiceChannel })).ok).toBe(true);
    await watching.nextEvent('voice_state_update', (d) => d.userId === alice.id && d.present);
    const onB = await resume(b, alice.token, ready.sessionId, 0);
    expect(ops(onB.frames)).toContain('resumed');
    await watching.nextEvent('voice_state_update', (d) => d.userId === alice.id && !d.present);
    await onB.nextEvent('voice_state_update', (d) => d.userId === alice.id && !d.present);
    onB.close();
    watching.close();
  });

  it('refuses a seq its holder no longer holds after, and the session is then gone everywhere', async () => {
    const { socket, ready } = await TestSocket.identified(a.wsUrl, alice.token);
    await publish(alice.id, ...Array.from({ length: BUFFER + 1 }, (_, i) => i + 1));
    await socket.next((f) => f.seq === BUFFER + 1);
    await drop(socket, a, alice.id, ready.sessionId);
    // The buffer holds 2..51: a client that saw only up to 0 would miss event 1.
    const refused = await resume(b, alice.token, ready.sessionId, 0);
    expect(ops(refused.frames)).toEqual(['invalid_session']);
    refused.close();
    expect(sessionOn(a, alice.id, ready.sessionId)).toBeUndefined();
    const again = await resume(a, alice.token, ready.sessionId, BUFFER + 1);
    expect(ops(again.frames)).toEqual(['invalid_session']);
    again.close();
  });

  it("refuses another user's token, an unknown session, and a session ended by logout", async () => {
    const { socket, ready } = await TestSocket.identified(a.wsUrl, alice.token);
    await drop(socket, a, alice.id, ready.sessionId);
    const stranger = await resume(b, bob.token, ready.sessionId, 0);
    expect(ops(stranger.frames)).toEqual(['invalid_session']);
    stranger.close();
    const unknown = await resume(b, alice.token, randomUUID(), 0);
    expect(ops(unknown.frames)).toEqual(['invalid_session']);
    unknown.close();
    // The stranger's attempt took nothing from the owner.
    const owner = await resume(b, alice.token, ready.sessionId, 0);
    expect(ops(owner.frames)).toEqual(['resumed']);
    owner.close();

    const [carol] = await people(a.url, ['carol'], alice);
    const other = await TestSocket.identified(a.wsUrl, carol.token);
    await drop(other.socket, a, carol.id, other.ready.sessionId);
    await carol.rest.logout();
    const afterLogout = await resume(b, carol.token, other.ready.sessionId, 0);
    expect(ops(afterLogout.frames)).toEqual(['invalid_session']);
    afterLogout.close();
  });

  it('tells each instance’s hooks: the holder sees it move away, the new one sees a resume', async () => {
    const seen: { on: string; reason: SessionsChangedReason }[] = [];
    const stopA = a.app.gateway.watchSessions((c) => {
      if (c.userId.toString() === bob.id) seen.push({ on: 'a', reason: c.reason });
    });
    const stopB = b.app.gateway.watchSessions((c) => {
      if (c.userId.toString() === bob.id) seen.push({ on: 'b', reason: c.reason });
    });
    try {
      const { socket, ready } = await TestSocket.identified(a.wsUrl, bob.token);
      const onB = await resume(b, bob.token, ready.sessionId, 0);
      await socket.closed;
      expect(seen).toEqual([
        { on: 'a', reason: 'identify' },
        { on: 'a', reason: 'moved' },
        { on: 'b', reason: 'resume' },
      ]);
      onB.close();
    } finally {
      stopA();
      stopB();
    }
  });

  it('is refused at once after the holder shut down (its sessions are forgotten)', async () => {
    const c = await startTestServer({ db, redisPrefix, config: { redisUrl: REDIS_URL } });
    const { socket, ready } = await TestSocket.identified(c.wsUrl, alice.token);
    await c.close({ keepData: true });
    await socket.closed;
    const refused = await resume(b, alice.token, ready.sessionId, 0);
    expect(ops(refused.frames)).toEqual(['invalid_session']);
    refused.close();
  });
});
