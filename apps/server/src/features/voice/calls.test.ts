import type { Call, Message, Server } from '@decentra/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settled, until } from '../../../test/barriers.js';
import { ManualClock } from '../../../test/manual-clock.js';
import { befriend, type Person, people, serverWith, voiceChannelOf } from '../../../test/people.js';
import { startTestServer, type TestServer } from '../../../test/test-server.js';
import {
  acceptCall,
  callReaches,
  goneFromVoice,
  joinVoice,
  offer,
  refusal,
  startCall,
} from '../../../test/voice.js';
import { TestSocket } from '../../../test/ws-client.js';

/** Ringing, call lengths and session expiry run on this clock: nothing happens until a test moves it. */
const clock = new ManualClock();
const RING_MS = 10_000;
const SESSION_TTL_MS = 60_000;
const PING_INTERVAL_MS = 25_000;

let server: TestServer;
let ann: Person;
let bob: Person;
let eve: Person;
let guild: Server;

beforeAll(async () => {
  server = await startTestServer({
    config: { voice: { ringTimeoutMs: RING_MS } },
    // Sockets stay through the minutes a test moves the clock on; detached sessions expire in one.
    gateway: { sessionTtlMs: SESSION_TTL_MS, pingIntervalMs: PING_INTERVAL_MS, idleTimeoutMs: 60 * 60_000 },
    clock,
  });
  [ann, bob, eve] = await people(server.url, ['ann', 'bob', 'eve']);
  await befriend(ann, eve);
  await befriend(ann, bob);
  await befriend(bob, eve);
  guild = await serverWith(ann, 'Voice', [eve]);
});
afterAll(() => server.close());

const sockets: TestSocket[] = [];
async function online(person: Person): Promise<{ socket: TestSocket; sessionId: string }> {
  const { socket, ready } = await TestSocket.identified(server.wsUrl, person.token);
  sockets.push(socket);
  return { socket, sessionId: String(ready.sessionId) };
}
const tab = async (person: Person) => (await online(person)).socket;
/** Ends every session of the test (clean closes) and waits for the server to have ended them. */
async function closeAll(): Promise<void> {
  for (const s of sockets.splice(0)) s.ws.close(1000);
  await until(() => server.app.gateway.sessionCount === 0);
}
const sessionOf = (userId: string, sessionId: string) =>
  [...server.app.gateway.subscriptions.sessionsOfUser(userId)].find((s) => s.sessionId === sessionId);

/** The call record this socket hears next (a message_create with `call`) in the call's DM. */
async function recordOf(socket: TestSocket, channelId: string, from = 0): Promise<Message> {
  const frame = await socket.nextEvent(
    'message_create',
    (d) => d.channelId === channelId && d.call !== undefined,
    5_000,
    from,
  );
  return frame.d;
}
const callOf = async (socket: TestSocket, callId: string): Promise<Call> =>
  (await socket.nextEvent('call_update', (d) => d.callId === callId)).d;

describe('calls', () => {
  it('refuse a callee who is in a call and a caller who is in one, ringing or answered, as busy', async () => {
    const a = await tab(ann);
    const b = await tab(bob);
    const e = await tab(eve);
    const callId = await startCall(a, eve.id);
    const busy = { code: 'conflict', reason: 'busy' };
    expect(refusal(await b.request('call_start', { userId: eve.id }))).toEqual(busy);
    expect(refusal(await b.request('call_start', { userId: ann.id }))).toEqual(busy);
    expect(refusal(await e.request('call_start', { userId: bob.id }))).toEqual(busy);
    expect(refusal(await a.request('call_start', { userId: bob.id }))).toEqual(busy);
    await acceptCall(e, callId);
    expect(refusal(await b.request('call_start', { userId: eve.id }))).toEqual(busy);
    expect(refusal(await a.request('call_start', { userId: bob.id }))).toEqual(busy);
    expect((await a.request('call_end', { callId })).ok).toBe(true);
    // Over: Bob can ring Eve now.
    const next = await startCall(b, eve.id);
    expect((await e.request('call_reject', { callId: next })).ok).toBe(true);
    await closeAll();
  });

  it('ring for the timeout, then are missed for both, with a record in their DM', async () => {
    const a = await tab(ann);
    const e = await tab(eve);
    const callId = await startCall(a, eve.id);
    const ringing = await callOf(e, callId);
    clock.advance(RING_MS - 1);
    await settled(a, e);
    expect(
      a
        .payloads('call_update')
        .filter((d) => d.callId === callId)
        .map((d) => d.state),
    ).toEqual(['ringing']);
    clock.advance(1);
    for (const s of [a, e]) await callReaches(s, callId, 'missed');
    const record = await recordOf(e, ringing.channelId);
    expect(record).toMatchObject({
      channelId: ringing.channelId,
      author: { id: ann.id, username: 'ann' },
      content: '',
      mentions: [],
      editedAt: null,
      call: { outcome: 'missed', durationSeconds: 0 },
    });
    expect((await recordOf(a, ringing.channelId)).id).toBe(record.id);
    const history = await eve.rest.listMessages({ channelId: ringing.channelId });
    expect(history.at(-1)).toEqual(record);
    // A record is not a text one can edit.
    const edit = ann.rest.editMessage({ channelId: ringing.channelId, messageId: record.id, content: 'hi' });
    await expect(edit).rejects.toMatchObject({ status: 403 });
    await closeAll();
  });

  it('declined by the callee: rejected, recorded', async () => {
    const a = await tab(ann);
    const e = await tab(eve);
    const callId = await startCall(a, eve.id);
    const { channelId } = await callOf(e, callId);
    expect((await e.request('call_reject', { callId })).ok).toBe(true);
    await callReaches(a, callId, 'rejected');
    expect((await recordOf(a, channelId)).call).toEqual({ outcome: 'rejected', durationSeconds: 0 });
    await closeAll();
  });

  it('cancelled by the caller while ringing: missed for both (the callee missed it), recorded', async () => {
    const a = await tab(ann);
    const e = await tab(eve);
    const callId = await startCall(a, eve.id);
    const { channelId } = await callOf(e, callId);
    expect((await a.request('call_end', { callId })).ok).toBe(true);
    await callReaches(e, callId, 'missed');
    expect((await recordOf(e, channelId)).call).toEqual({ outcome: 'missed', durationSeconds: 0 });
    await closeAll();
  });

  it('answered then hung up by either end: ended, recorded with its length from answer to hang-up', async () => {
    const a = await tab(ann);
    const e = await tab(eve);
    const callId = await startCall(a, eve.id);
    clock.advance(3_000); // ringing time does not count
    await acceptCall(e, callId);
    const active = (await a.nextEvent('call_update', (d) => d.callId === callId && d.state === 'active')).d;
    expect(active.startedAt).toBe(new Date(clock.now()).toISOString());
    clock.advance(42_400);
    expect((await e.request('call_end', { callId })).ok).toBe(true);
    await callReaches(a, callId, 'ended');
    const record = await recordOf(a, active.channelId);
    expect(record.author.id).toBe(ann.id);
    expect(record.call).toEqual({ outcome: 'ended', durationSeconds: 42 });
    const history = await ann.rest.listMessages({ channelId: active.channelId });
    expect(history.at(-1)?.call).toEqual({ outcome: 'ended', durationSeconds: 42 });
    await closeAll();
  });

  it('carry signals only once answered, between the two sessions in the call, and only to them', async () => {
    const a = await tab(ann);
    const e1 = await tab(eve);
    const e2 = await tab(eve);
    const callId = await startCall(a, eve.id);
    expect(refusal(await offer(a, eve.id)).code).toBe('forbidden');
    await acceptCall(e1, callId);
    expect((await offer(a, eve.id, 'to the tab that answered')).ok).toBe(true);
    expect((await e1.nextEvent('voice_signal')).d).toMatchObject({ from: ann.id });
    // Eve's other tab rang too, but is not in the call: it neither hears nor sends signals.
    expect(refusal(await offer(e2, ann.id)).code).toBe('forbidden');
    await settled(e2);
    expect(e2.events('voice_signal')).toHaveLength(0);
    expect((await offer(e1, ann.id)).ok).toBe(true);
    await a.nextEvent('voice_signal', (d) => d.from === eve.id);
    await closeAll();
  });
});

describe('a call belongs to the sessions in it', () => {
  it('ends when the tab that started it closes, not when another tab of the caller does', async () => {
    const a1 = await online(ann);
    const a2 = await online(ann);
    const e = await tab(eve);
    const callId = await startCall(a1.socket, eve.id);
    await acceptCall(e, callId);
    a2.socket.ws.close(1000);
    await until(() => sessionOf(ann.id, a2.sessionId) === undefined);
    expect((await offer(e, ann.id)).ok).toBe(true);
    await settled(e);
    expect(e.payloads('call_update').map((d) => d.state)).toEqual(['ringing', 'active']);
    const from = e.frames.length;
    a1.socket.ws.close(1000);
    await callReaches(e, callId, 'ended');
    expect(refusal(await offer(e, ann.id)).code).toBe('forbidden');
    expect((await recordOf(e, (await callOf(e, callId)).channelId, from)).call?.outcome).toBe('ended');
    await closeAll();
  });

  it('ends when the tab that answered it closes; while ringing, a closing caller tab makes it missed', async () => {
    const a = await tab(ann);
    const e1 = await tab(eve);
    const callId = await startCall(a, eve.id);
    await acceptCall(e1, callId);
    e1.ws.close(1000);
    await callReaches(a, callId, 'ended');
    const b = await online(bob);
    const e = await tab(eve);
    const ringing = await startCall(b.socket, eve.id);
    b.socket.ws.close(1000);
    await callReaches(e, ringing, 'missed');
    await closeAll();
  });

  it('outlives a dropped socket that resumes, and ends when the session expires unresumed', async () => {
    const a = await online(ann);
    const e = await tab(eve);
    const callId = await startCall(a.socket, eve.id);
    await acceptCall(e, callId);
    await a.socket.nextEvent('call_update', (d) => d.state === 'active');
    a.socket.ws.terminate();
    await until(() => sessionOf(ann.id, a.sessionId)?.detached === true);
    // Still in the call: a signal is kept for Ann's session and replayed when it resumes.
    expect((await offer(e, ann.id, 'while away')).ok).toBe(true);
    await settled(e);
    expect(e.payloads('call_update').map((d) => d.state)).toEqual(['ringing', 'active']);
    const back = await TestSocket.open(server.wsUrl);
    sockets.push(back);
    back.send({
      op: 'resume',
      d: { token: ann.token, sessionId: a.sessionId, seq: a.socket.events().at(-1)?.seq ?? 0 },
    });
    expect((await back.nextEvent('voice_signal')).d.payload).toEqual({
      description: { type: 'offer', sdp: 'while away' },
    });
    await back.next((f) => f.op === 'resumed');
    expect((await offer(back, eve.id)).ok).toBe(true);
    // Dropped again and never resumed: the session expires, and the call with it.
    back.ws.terminate();
    await until(() => sessionOf(ann.id, a.sessionId)?.detached === true);
    clock.advance(SESSION_TTL_MS + PING_INTERVAL_MS);
    await callReaches(e, callId, 'ended');
    expect(sessionOf(ann.id, a.sessionId)).toBeUndefined();
    await closeAll();
  });
});

describe('one voice thing at a time', () => {
  it('answering or starting a call leaves your voice channel; joining one ends your call', async () => {
    const channel = voiceChannelOf(guild);
    const a = await tab(ann);
    const e = await tab(eve);
    await joinVoice(e, channel);
    await joinVoice(a, channel);
    const callId = await startCall(a, eve.id);
    expect((await goneFromVoice(e, ann.id)).channelId).toBe(channel);
    await acceptCall(e, callId);
    expect((await goneFromVoice(a, eve.id)).channelId).toBe(channel);
    await joinVoice(e, channel);
    await callReaches(a, callId, 'ended');
    const { channelId } = await callOf(a, callId);
    expect((await recordOf(a, channelId)).call?.outcome).toBe('ended');
    // Ann was in no voice channel any more; Eve is, alone.
    const { socket, ready } = await TestSocket.identified(server.wsUrl, ann.token);
    sockets.push(socket);
    expect(ready.voiceStates).toEqual([
      { channelId: channel, userId: eve.id, muted: false, deafened: false, present: true },
    ]);
    expect(ready.calls).toEqual([]);
    await closeAll();
  });
});
