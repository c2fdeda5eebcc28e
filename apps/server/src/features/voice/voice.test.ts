import type { OpReply, Server } from '@decentra/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settled, until } from '../../../test/barriers.js';
import { ManualClock } from '../../../test/manual-clock.js';
import {
  befriend,
  type Person,
  people,
  refused,
  restClient,
  serverWith,
  textChannelOf,
  voiceChannelOf,
} from '../../../test/people.js';
import { startTestServer, type TestServer } from '../../../test/test-server.js';
import { TestSocket } from '../../../test/ws-client.js';
import { VOICE_RESUME_GRACE_MS } from './voice.js';

/** Ringing runs on this clock: a call is missed only when a test moves it. */
const clock = new ManualClock();
const RING_MS = 10_000;

let server: TestServer;
let ann: Person;
let ben: Person;
let cat: Person;
let stranger: Person;
let guild: Server;
let voiceChannel: string;

beforeAll(async () => {
  server = await startTestServer({
    config: { voice: { iceServers: [{ urls: 'stun:stun.example.test:3478' }], ringTimeoutMs: RING_MS } },
    clock,
  });
  [ann, ben, cat, stranger] = await people(server.url, ['ann', 'ben', 'cat', 'stranger']);
  guild = await serverWith(ann, 'Voice', [ben, cat]);
  voiceChannel = voiceChannelOf(guild);
  await befriend(ann, stranger);
});
afterAll(() => server.close());

const sessionOf = (userId: string, sessionId: string) =>
  [...server.app.gateway.subscriptions.sessionsOfUser(userId)].find((s) => s.sessionId === sessionId);

const startCall = async (socket: TestSocket, userId: string): Promise<string> => {
  const reply = await socket.request('call_start', { userId });
  expect(reply.ok, JSON.stringify(reply)).toBe(true);
  return (reply.d as OpReply<'call_start'>).callId;
};
const statesOf = (socket: TestSocket, callId: string) =>
  socket
    .payloads('call_update')
    .filter((d) => d.callId === callId)
    .map((d) => d.state);

describe('voice channels', () => {
  it('tell members who joins, mutes and leaves; ready lists who is there', async () => {
    const a = await TestSocket.identified(server.wsUrl, ann.token);
    const b = await TestSocket.identified(server.wsUrl, ben.token);
    const s = await TestSocket.identified(server.wsUrl, stranger.token);
    expect((await a.socket.request('voice_join', { channelId: voiceChannel })).ok).toBe(true);
    const joined = await b.socket.nextEvent('voice_state_update');
    expect(joined.d).toEqual({
      channelId: voiceChannel,
      userId: ann.id,
      muted: false,
      deafened: false,
      present: true,
    });
    await a.socket.request('voice_state', { muted: true, deafened: false });
    const muted = await b.socket.nextEvent('voice_state_update', (d) => d.muted);
    expect(muted.d).toMatchObject({ userId: ann.id, muted: true, present: true });
    const c = await TestSocket.identified(server.wsUrl, cat.token);
    expect(c.ready.voiceStates).toEqual([
      { channelId: voiceChannel, userId: ann.id, muted: true, deafened: false, present: true },
    ]);
    await a.socket.request('voice_leave', {});
    const left = await b.socket.nextEvent('voice_state_update', (d) => !d.present);
    expect(left.d).toMatchObject({ userId: ann.id, present: false });
    // Each change went out before its reply to Ann: had one gone to the stranger, it is here now.
    await settled(s.socket);
    expect(s.socket.events('voice_state_update')).toHaveLength(0);
    for (const x of [a, b, c, s]) x.socket.close();
  });

  it('refuse text channels, strangers and muting outside voice', async () => {
    const a = await TestSocket.identified(server.wsUrl, ann.token);
    const s = await TestSocket.identified(server.wsUrl, stranger.token);
    expect(await a.socket.request('voice_join', { channelId: textChannelOf(guild) })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input' },
    });
    expect(await s.socket.request('voice_join', { channelId: voiceChannel })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
    expect(await a.socket.request('voice_state', { muted: true, deafened: false })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input' },
    });
    a.socket.close();
    s.socket.close();
  });

  it('relay signals only between people in the same channel', async () => {
    const a = await TestSocket.identified(server.wsUrl, ann.token);
    const b = await TestSocket.identified(server.wsUrl, ben.token);
    const c = await TestSocket.identified(server.wsUrl, cat.token);
    expect(
      await a.socket.request('voice_signal', {
        to: ben.id,
        payload: { description: { type: 'offer', sdp: 'x' } },
      }),
    ).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    await a.socket.request('voice_join', { channelId: voiceChannel });
    await b.socket.request('voice_join', { channelId: voiceChannel });
    expect(
      (
        await a.socket.request('voice_signal', {
          to: ben.id,
          payload: { description: { type: 'offer', sdp: 'v=0' } },
        })
      ).ok,
    ).toBe(true);
    expect((await b.socket.nextEvent('voice_signal')).d).toEqual({
      from: ann.id,
      payload: { description: { type: 'offer', sdp: 'v=0' } },
    });
    // The signals went out before their replies to Ann: had one gone to Cat, it is here now.
    await settled(c.socket);
    expect(c.socket.events('voice_signal')).toHaveLength(0);
    await a.socket.request('voice_leave', {});
    await b.socket.request('voice_leave', {});
    for (const x of [a, b, c]) x.socket.close();
  });

  it('relay signals from the tab in voice to the tab in voice, not to the user’s other tabs', async () => {
    const a = await TestSocket.identified(server.wsUrl, ann.token);
    const inVoice = await TestSocket.identified(server.wsUrl, ben.token);
    const otherTab = await TestSocket.identified(server.wsUrl, ben.token);
    await a.socket.request('voice_join', { channelId: voiceChannel });
    await inVoice.socket.request('voice_join', { channelId: voiceChannel });
    const offer = { description: { type: 'offer', sdp: 'v=0' } };
    expect((await a.socket.request('voice_signal', { to: ben.id, payload: offer })).ok).toBe(true);
    await inVoice.socket.nextEvent('voice_signal', (d) => d.from === ann.id);
    // Sent before the reply to Ann: had it gone to Ben's other tab, it would be there by now.
    await settled(otherTab.socket);
    expect(otherTab.socket.events('voice_signal')).toHaveLength(0);
    // Nor may that tab signal for Ben: its answer would reach no peer connection.
    expect(await otherTab.socket.request('voice_signal', { to: ann.id, payload: offer })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    await a.socket.request('voice_leave', {});
    await inVoice.socket.request('voice_leave', {});
    for (const x of [a, inVoice, otherTab]) x.socket.close();
  });

  it('drop a user whose socket closes', async () => {
    const a = await TestSocket.identified(server.wsUrl, ann.token);
    const b = await TestSocket.identified(server.wsUrl, ben.token);
    await a.socket.request('voice_join', { channelId: voiceChannel });
    await b.socket.nextEvent('voice_state_update', (d) => d.userId === ann.id && d.present);
    a.socket.ws.close(1000);
    const gone = await b.socket.nextEvent('voice_state_update', (d) => d.userId === ann.id && !d.present);
    expect(gone.d).toMatchObject({ channelId: voiceChannel, present: false });
    b.socket.close();
  });

  it('keep someone whose socket drops and who resumes in time: the audio never needed it', async () => {
    const watcher = await TestSocket.identified(server.wsUrl, ben.token);
    const a = await TestSocket.identified(server.wsUrl, ann.token);
    await a.socket.request('voice_join', { channelId: voiceChannel });
    await watcher.socket.nextEvent('voice_state_update', (d) => d.userId === ann.id && d.present);
    a.socket.ws.terminate();
    await until(() => sessionOf(ann.id, a.ready.sessionId)?.detached === true);
    clock.advance(VOICE_RESUME_GRACE_MS - 1);
    const back = await TestSocket.open(server.wsUrl);
    back.send({
      op: 'resume',
      d: { token: ann.token, sessionId: a.ready.sessionId, seq: a.socket.events().at(-1)?.seq ?? 0 },
    });
    await back.next((f) => f.op === 'resumed');
    clock.advance(VOICE_RESUME_GRACE_MS);
    const late = await TestSocket.identified(server.wsUrl, cat.token);
    expect(late.ready.voiceStates.map((v) => v.userId)).toEqual([ann.id]);
    await settled(watcher.socket);
    expect(watcher.socket.payloads('voice_state_update').filter((d) => !d.present)).toEqual([]);
    await back.request('voice_leave', {});
    for (const x of [watcher.socket, back, late.socket]) x.close();
  });

  it('end with the tab that joined, even while the user has other tabs open', async () => {
    const watcher = await TestSocket.identified(server.wsUrl, ben.token);
    const tab1 = await TestSocket.identified(server.wsUrl, cat.token);
    const tab2 = await TestSocket.identified(server.wsUrl, cat.token);
    expect((await tab1.socket.request('voice_join', { channelId: voiceChannel })).ok).toBe(true);
    await watcher.socket.nextEvent('voice_state_update', (d) => d.userId === cat.id);
    tab1.socket.ws.terminate();
    // Its socket dropped without a goodbye: the place is kept for a resume, then given up.
    await until(() => sessionOf(cat.id, tab1.ready.sessionId)?.detached === true);
    clock.advance(VOICE_RESUME_GRACE_MS);
    const gone = await watcher.socket.nextEvent(
      'voice_state_update',
      (d) => d.userId === cat.id && !d.present,
    );
    expect(gone.d).toMatchObject({ channelId: voiceChannel, present: false });
    expect(tab2.socket.ws.readyState).toBe(tab2.socket.ws.OPEN);
    watcher.socket.close();
    tab2.socket.close();
  });
});

describe('calls', () => {
  it('ring a friend, connect on accept, carry signals and end for both', async () => {
    const a = await TestSocket.identified(server.wsUrl, ann.token);
    const s = await TestSocket.identified(server.wsUrl, stranger.token);
    const callId = await startCall(a.socket, stranger.id);
    const incoming = (await s.socket.nextEvent('call_incoming')).d;
    expect(incoming).toEqual({
      callId,
      from: { id: ann.id, username: 'ann' },
      channelId: expect.any(String),
    });
    expect((await a.socket.nextEvent('call_update')).d).toEqual({
      callId,
      state: 'ringing',
      caller: { id: ann.id, username: 'ann' },
      callee: { id: stranger.id, username: expect.any(String) },
      channelId: incoming.channelId,
      startedAt: null,
    });
    expect((await s.socket.request('call_accept', { callId })).ok).toBe(true);
    await a.socket.nextEvent('call_update', (d) => d.callId === callId && d.state === 'active');
    expect(
      (await s.socket.request('voice_signal', { to: ann.id, payload: { candidate: { candidate: 'c' } } })).ok,
    ).toBe(true);
    expect((await a.socket.nextEvent('voice_signal')).d).toEqual({
      from: stranger.id,
      payload: { candidate: { candidate: 'c' } },
    });
    expect((await a.socket.request('call_end', { callId })).ok).toBe(true);
    await s.socket.nextEvent('call_update', (d) => d.callId === callId && d.state === 'ended');
    expect(
      await s.socket.request('voice_signal', { to: ann.id, payload: { candidate: null } }),
    ).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    a.socket.close();
    s.socket.close();
  });

  it('can be rejected by the callee, not the caller', async () => {
    const a = await TestSocket.identified(server.wsUrl, ann.token);
    const s = await TestSocket.identified(server.wsUrl, stranger.token);
    const callId = await startCall(a.socket, stranger.id);
    expect(await a.socket.request('call_reject', { callId })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input' },
    });
    expect((await s.socket.request('call_reject', { callId })).ok).toBe(true);
    await a.socket.nextEvent('call_update', (d) => d.callId === callId && d.state === 'rejected');
    expect(statesOf(a.socket, callId)).toEqual(['ringing', 'rejected']);
    a.socket.close();
    s.socket.close();
  });

  it('are missed once the ring timeout passes unanswered, not before', async () => {
    const a = await TestSocket.identified(server.wsUrl, ann.token);
    const s = await TestSocket.identified(server.wsUrl, stranger.token);
    const callId = await startCall(a.socket, stranger.id);
    await s.socket.nextEvent('call_incoming', (d) => d.callId === callId);
    clock.advance(RING_MS - 1);
    // Had the call been missed by now, that went out before this ping is even read.
    await settled(a.socket, s.socket);
    expect(statesOf(a.socket, callId)).toEqual(['ringing']);
    clock.advance(1);
    for (const x of [a, s])
      await x.socket.nextEvent('call_update', (d) => d.callId === callId && d.state === 'missed');
    expect(statesOf(a.socket, callId)).toEqual(['ringing', 'missed']);
    // And it is over: it can no longer be accepted.
    expect(await s.socket.request('call_accept', { callId })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
    a.socket.close();
    s.socket.close();
  });

  it('only reach friends, and need a call that exists', async () => {
    const a = await TestSocket.identified(server.wsUrl, ann.token);
    expect(await a.socket.request('call_start', { userId: ben.id })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect(await a.socket.request('call_accept', { callId: 'nope' })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
    a.socket.close();
  });

  it('serve the configured ICE servers, to logged-in users only', async () => {
    expect(await ann.rest.iceServers()).toEqual({ iceServers: [{ urls: 'stun:stun.example.test:3478' }] });
    expect((await refused(restClient(server.url).iceServers())).status).toBe(401);
  });
});
