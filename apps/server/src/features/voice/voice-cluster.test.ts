import { randomUUID } from 'node:crypto';
import type { Call, Server, VoiceState } from '@decentra/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../../../test/barriers.js';
import { ManualClock } from '../../../test/manual-clock.js';
import { befriend, type Person, people, serverWith, voiceChannelOf } from '../../../test/people.js';
import { createTestDatabase, ENGINE, type TestDatabase } from '../../../test/test-db.js';
import { startTestServer, type TestServer } from '../../../test/test-server.js';
import { acceptCall, callReaches, joinVoice, offer, refusal, startCall } from '../../../test/voice.js';
import { TestSocket } from '../../../test/ws-client.js';
import { VOICE_RESUME_GRACE_MS } from './voice.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const HEARTBEAT_MS = 5_000;
const RING_MS = 10_000;
const LIMIT = 3;

/**
 * Voice channels and calls over three instances sharing PostgreSQL and Redis (postgres project
 * only: PGlite cannot be shared). Each instance runs on its own manual clock; they are moved
 * together unless a test says otherwise, and an instance whose clock stands still has stopped
 * beating, as a killed one would.
 */
describe.runIf(ENGINE === 'postgres')('voice across instances', () => {
  // Made together, so the three start at the same time.
  const clocks = { a: new ManualClock(), b: new ManualClock(), c: new ManualClock() };
  let db: TestDatabase;
  let a: TestServer;
  let b: TestServer;
  let c: TestServer;
  let ann: Person;
  let ben: Person;
  let cat: Person;
  let dan: Person;
  let eve: Person;
  let fay: Person;
  let guild: Server;

  beforeAll(async () => {
    db = await createTestDatabase();
    const redisPrefix = `test:${randomUUID()}:`;
    const options = (clock: ManualClock) => ({
      db,
      clock,
      redisPrefix,
      config: { redisUrl: REDIS_URL, voice: { ringTimeoutMs: RING_MS, channelLimit: LIMIT } },
      presence: { offlineGraceMs: 25_000, heartbeatMs: HEARTBEAT_MS },
      // Sockets stay through the time the tests move the clocks on.
      gateway: { sessionTtlMs: 10 * 60_000, pingIntervalMs: 60 * 60_000, idleTimeoutMs: 60 * 60_000 },
    });
    a = await startTestServer(options(clocks.a));
    b = await startTestServer(options(clocks.b));
    c = await startTestServer(options(clocks.c));
    [ann, ben, cat, dan, eve, fay] = await people(b.url, ['ann', 'ben', 'cat', 'dan', 'eve', 'fay']);
    guild = await serverWith(ann, 'Everywhere', [ben, cat, dan, eve, fay]);
    for (const [x, y] of [
      [ann, eve],
      [ben, eve],
      [cat, dan],
      [ben, dan],
    ] as const)
      await befriend(x, y);
  });
  afterAll(async () => {
    await c?.close({ keepData: true });
    await b?.close({ keepData: true });
    await a?.close({ keepData: true }).catch(() => {});
    await db?.drop();
  });

  const sockets: TestSocket[] = [];
  async function on(server: TestServer, person: Person): Promise<TestSocket> {
    const { socket } = await TestSocket.identified(server.wsUrl, person.token);
    sockets.push(socket);
    return socket;
  }
  /** Ends every session of the test (clean closes) and waits for each instance to have ended them. */
  async function closeAll(): Promise<void> {
    for (const s of sockets.splice(0)) s.ws.close(1000);
    for (const server of [a, b, c]) await until(() => server.app.gateway.sessionCount === 0);
  }
  /**
   * Moves these instances' clocks on together, at most a heartbeat at a time (so each beats at
   * most a heartbeat behind its clock), each heartbeat (and its reaping) done in turn.
   */
  async function advance(ms: number, ...servers: [TestServer, ManualClock][]): Promise<void> {
    for (let left = ms; left > 0; left -= HEARTBEAT_MS) {
      for (const [server, clock] of servers) {
        clock.advance(Math.min(left, HEARTBEAT_MS));
        await server.app.instances?.settled();
      }
    }
  }
  const all = (): [TestServer, ManualClock][] => [
    [a, clocks.a],
    [b, clocks.b],
    [c, clocks.c],
  ];
  const readyOn = async (server: TestServer, person: Person) => {
    const { socket, ready } = await TestSocket.identified(server.wsUrl, person.token);
    sockets.push(socket);
    return ready;
  };
  const presentIn = (channel: string, ready: { voiceStates: unknown }) =>
    (ready.voiceStates as VoiceState[])
      .filter((v) => v.channelId === channel)
      .map((v) => v.userId)
      .sort();
  const changesOf = (socket: TestSocket, user: Person) =>
    socket.payloads('voice_state_update').filter((d) => d.userId === user.id);

  it('shows two people on two instances to each other in one channel, with their mute, and relays their signals', async () => {
    const channel = voiceChannelOf(guild);
    const annOnA = await on(a, ann);
    const benOnB = await on(b, ben);
    const catOnC = await on(c, cat);
    await joinVoice(annOnA, channel);
    await benOnB.nextEvent('voice_state_update', (d) => d.userId === ann.id && d.present);
    await joinVoice(benOnB, channel);
    await annOnA.nextEvent('voice_state_update', (d) => d.userId === ben.id && d.present);
    await catOnC.nextEvent('voice_state_update', (d) => d.userId === ben.id && d.present);
    expect(presentIn(channel, await readyOn(c, cat))).toEqual([ann.id, ben.id].sort());

    expect((await benOnB.request('voice_state', { muted: true, deafened: false })).ok).toBe(true);
    await annOnA.nextEvent('voice_state_update', (d) => d.userId === ben.id && d.muted);
    const seen = (await readyOn(a, dan)).voiceStates as VoiceState[];
    expect(seen.find((v) => v.userId === ben.id)).toMatchObject({ muted: true, deafened: false });

    // Signals go from the session in voice on one instance to the one on the other, both ways.
    expect((await offer(annOnA, ben.id, 'from-ann')).ok).toBe(true);
    const heard = await benOnB.nextEvent('voice_signal', (d) => d.from === ann.id);
    expect(heard.d.payload).toEqual({ description: { type: 'offer', sdp: 'from-ann' } });
    expect((await offer(benOnB, ann.id, 'from-ben')).ok).toBe(true);
    await annOnA.nextEvent('voice_signal', (d) => d.from === ben.id);
    // Cat is not in the channel: nothing passes to or from her.
    expect(refusal(await offer(catOnC, ann.id)).code).toBe('forbidden');

    expect((await annOnA.request('voice_leave', {})).ok).toBe(true);
    await benOnB.nextEvent('voice_state_update', (d) => d.userId === ann.id && !d.present);
    expect(refusal(await offer(benOnB, ann.id)).code).toBe('forbidden');
    // The tab that joined closes on B: B takes Ben out, and A's side hears it.
    benOnB.ws.close(1000);
    await annOnA.nextEvent('voice_state_update', (d) => d.userId === ben.id && !d.present);
    expect(presentIn(channel, await readyOn(c, cat))).toEqual([]);
    await closeAll();
  });

  it('holds the cap when six people join at once through three instances', async () => {
    for (let round = 0; round < 3; round++) {
      const room = await ann.rest.createChannel({ serverId: guild.id, name: `Race ${round}`, type: 'voice' });
      const everyone = [ann, ben, cat, dan, eve, fay];
      const servers = [a, b, c];
      const socks = await Promise.all(everyone.map((p, i) => on(servers[i % 3] as TestServer, p)));
      const replies = await Promise.all(socks.map((s) => s.request('voice_join', { channelId: room.id })));
      expect(replies.filter((r) => r.ok)).toHaveLength(LIMIT);
      for (const refused of replies.filter((r) => !r.ok))
        expect(refusal(refused)).toEqual({ code: 'conflict', reason: 'channel_full' });
      expect(presentIn(room.id, await readyOn(b, ann))).toHaveLength(LIMIT);
      await closeAll();
    }
  });

  it('refuses as busy a call to or from someone in a call on another instance, and makes one call of a race', async () => {
    const annOnA = await on(a, ann);
    const eveOnB = await on(b, eve);
    const benOnC = await on(c, ben);
    const callId = await startCall(annOnA, eve.id);
    await eveOnB.nextEvent('call_incoming', (d) => d.callId === callId);
    const busy = { code: 'conflict', reason: 'busy' };
    expect(refusal(await benOnC.request('call_start', { userId: eve.id }))).toEqual(busy);
    expect(refusal(await eveOnB.request('call_start', { userId: ben.id }))).toEqual(busy);
    await acceptCall(eveOnB, callId);
    expect(refusal(await benOnC.request('call_start', { userId: eve.id }))).toEqual(busy);
    expect((await annOnA.request('call_end', { callId })).ok).toBe(true);

    // Ben (on C) and Cat (on A) ring Dan at the same moment: one call rings, the other is busy.
    const catOnA = await on(a, cat);
    await on(b, dan);
    const replies = await Promise.all([
      benOnC.request('call_start', { userId: dan.id }),
      catOnA.request('call_start', { userId: dan.id }),
    ]);
    expect(replies.filter((r) => r.ok)).toHaveLength(1);
    expect(refusal(replies.find((r) => !r.ok) ?? expect.fail('both rang'))).toEqual(busy);
    await closeAll();
  });

  it('rings, connects, relays and ends a call between friends on two instances, recorded once', async () => {
    const annOnA = await on(a, ann);
    const eveOnB = await on(b, eve);
    const callId = await startCall(annOnA, eve.id);
    const incoming = await eveOnB.nextEvent('call_incoming', (d) => d.callId === callId);
    expect(incoming.d.from).toEqual({ id: ann.id, username: 'ann' });
    expect(((await readyOn(c, eve)).calls as Call[]).map((x) => [x.callId, x.state])).toEqual([
      [callId, 'ringing'],
    ]);
    await acceptCall(eveOnB, callId);
    await callReaches(annOnA, callId, 'active');
    expect((await offer(annOnA, eve.id, 'call-offer')).ok).toBe(true);
    await eveOnB.nextEvent('voice_signal', (d) => d.from === ann.id);
    expect((await offer(eveOnB, ann.id)).ok).toBe(true);
    await annOnA.nextEvent('voice_signal', (d) => d.from === eve.id);
    // The caller's instance owns the ring timeout: it passes, and the answered call goes on.
    await advance(RING_MS, ...all());
    await advance(4_000, ...all());
    expect((await offer(annOnA, eve.id)).ok).toBe(true);
    expect((await eveOnB.request('call_end', { callId })).ok).toBe(true);
    const ended = await annOnA.nextEvent('call_update', (d) => d.callId === callId && d.state === 'ended');
    expect(ended.d.callId).toBe(callId);
    const record = await annOnA.nextEvent('message_create', (d) => d.call !== undefined);
    expect(record.d.call).toEqual({ outcome: 'ended', durationSeconds: 14 });
    expect(refusal(await offer(annOnA, eve.id)).code).toBe('forbidden');
    expect((await readyOn(c, ann)).calls).toEqual([]);
    // One record: a later call's record is the next one Ann hears in the DM.
    const next = await startCall(annOnA, eve.id);
    expect((await annOnA.request('call_end', { callId: next })).ok).toBe(true);
    const records = await until(() => annOnA.payloads('message_create').filter((d) => d.call).length >= 2)
      .then(() => annOnA.payloads('message_create').filter((d) => d.call !== undefined))
      .then((list) => list.map((m) => m.call?.outcome));
    expect(records).toEqual(['ended', 'missed']);
    await closeAll();
  });

  it('misses an unanswered call once, when the caller’s instance’s ring timeout passes', async () => {
    const annOnA = await on(a, ann);
    const eveOnB = await on(b, eve);
    const callId = await startCall(annOnA, eve.id);
    await eveOnB.nextEvent('call_incoming', (d) => d.callId === callId);
    // The callee's and a third instance's clocks passing the timeout change nothing.
    await advance(RING_MS + 1, [b, clocks.b], [c, clocks.c]);
    expect(((await readyOn(b, eve)).calls as Call[]).map((x) => x.state)).toEqual(['ringing']);
    await advance(RING_MS + 1, [a, clocks.a]);
    await callReaches(eveOnB, callId, 'missed');
    await callReaches(annOnA, callId, 'missed');
    expect(refusal(await eveOnB.request('call_accept', { callId })).code).toBe('not_found');
    // Another call after it: its ringing reaches Eve after anything the first could still say.
    const next = await startCall(annOnA, eve.id);
    await eveOnB.nextEvent('call_update', (d) => d.callId === next && d.state === 'ringing');
    expect((await annOnA.request('call_end', { callId: next })).ok).toBe(true);
    await callReaches(eveOnB, next, 'missed');
    expect(
      eveOnB
        .payloads('call_update')
        .filter((d) => d.callId === callId)
        .map((d) => d.state),
    ).toEqual(['ringing', 'missed']);
    await closeAll();
  });

  it('takes a dead instance’s voice members out and ends its calls, each told once, by one survivor', async () => {
    const channel = voiceChannelOf(guild);
    const annOnA = await on(a, ann);
    const benOnB = await on(b, ben);
    const catOnC = await on(c, cat);
    const eveOnB = await on(b, eve);
    await joinVoice(annOnA, channel);
    await joinVoice(benOnB, channel);
    await catOnC.nextEvent('voice_state_update', (d) => d.userId === ben.id && d.present);
    const callId = await startCall(await on(a, dan), cat.id);
    await catOnC.nextEvent('call_incoming', (d) => d.callId === callId);
    await acceptCall(catOnC, callId);
    const from = catOnC.frames.length;

    // A stops beating and its sockets go; nothing of it is cleaned up in Redis.
    await a.close({ keepData: true });
    const living: [TestServer, ManualClock][] = [
      [b, clocks.b],
      [c, clocks.c],
    ];
    let reapedAfter = 0;
    while (changesOf(catOnC, ann).every((d) => d.present) && reapedAfter < 10 * HEARTBEAT_MS) {
      await advance(HEARTBEAT_MS, ...living);
      reapedAfter += HEARTBEAT_MS;
    }
    expect(reapedAfter).toBeGreaterThan(VOICE_RESUME_GRACE_MS - HEARTBEAT_MS);
    await catOnC.nextEvent('voice_state_update', (d) => d.userId === ann.id && !d.present, 5_000, from);
    await benOnB.nextEvent('voice_state_update', (d) => d.userId === ann.id && !d.present);
    await callReaches(catOnC, callId, 'ended');
    // Both survivors beat on; then each tells something after anything its reaping said.
    await advance(HEARTBEAT_MS, ...living);
    await advance(HEARTBEAT_MS, ...living);
    expect((await eveOnB.request('voice_join', { channelId: channel })).ok).toBe(true);
    await catOnC.nextEvent('voice_state_update', (d) => d.userId === eve.id && d.present);
    expect((await catOnC.request('voice_join', { channelId: channel })).ok).toBe(true);
    await benOnB.nextEvent('voice_state_update', (d) => d.userId === cat.id && d.present);
    for (const watching of [catOnC, benOnB]) {
      expect(changesOf(watching, ann).filter((d) => !d.present)).toHaveLength(1);
    }
    expect(
      catOnC
        .payloads('call_update')
        .filter((d) => d.callId === callId && d.state !== 'active' && d.state !== 'ringing'),
    ).toHaveLength(1);
    // Ben is untouched: still there, as ready on B says.
    expect(presentIn(channel, await readyOn(b, fay))).toEqual([ben.id, cat.id, eve.id].sort());
    await closeAll();
  });
});
