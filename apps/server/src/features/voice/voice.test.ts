import type { Server } from '@decentra/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { joinServer, makeServer, makeUsers, type TestUser } from '../../../test/factories.js';
import { type Api, api } from '../../../test/http.js';
import { startTestServer, type TestServer } from '../../../test/test-server.js';
import { TestSocket } from '../../../test/ws-client.js';

let server: TestServer;
let http: Api;
let ann: TestUser;
let ben: TestUser;
let cat: TestUser;
let stranger: TestUser;
let guild: Server;
let voiceChannel: string;

async function befriend(a: TestUser, b: TestUser): Promise<void> {
  const req = await http.post<{ id: string }>(
    '/api/friends/requests',
    { username: b.username },
    { token: a.token },
  );
  await http.post(`/api/friends/requests/${req.body.id}/accept`, undefined, { token: b.token });
}

beforeAll(async () => {
  server = await startTestServer({
    config: { iceServers: [{ urls: 'stun:stun.example.test:3478' }] },
    ringTimeoutMs: 300,
  });
  http = api(server.url);
  [ann, ben, cat, stranger] = await makeUsers(http, ['ann', 'ben', 'cat', 'stranger']);
  guild = await makeServer(http, ann, 'Voice');
  await joinServer(http, guild, ann, [ben, cat]);
  voiceChannel = guild.channels.find((c) => c.type === 'voice')?.id as string;
  await befriend(ann, stranger);
});
afterAll(() => server.close());

describe('voice channels', () => {
  it('tell members who joins, mutes and leaves; ready lists who is there', async () => {
    const a = await TestSocket.identified(server.wsUrl, ann.token);
    const b = await TestSocket.identified(server.wsUrl, ben.token);
    const s = await TestSocket.identified(server.wsUrl, stranger.token);
    expect((await a.socket.request('voice_join', { channelId: voiceChannel })).ok).toBe(true);
    const joined = await b.socket.next((f) => f.t === 'voice_state_update');
    expect(joined.d).toEqual({ channelId: voiceChannel, userId: ann.id, muted: false, present: true });
    await a.socket.request('voice_state', { muted: true });
    const muted = await b.socket.next(
      (f) => f.t === 'voice_state_update' && (f.d as { muted: boolean }).muted,
    );
    expect(muted.d).toMatchObject({ userId: ann.id, muted: true, present: true });
    const c = await TestSocket.identified(server.wsUrl, cat.token);
    expect(c.ready.voiceStates).toEqual([
      { channelId: voiceChannel, userId: ann.id, muted: true, present: true },
    ]);
    await a.socket.request('voice_leave', {});
    const left = await b.socket.next(
      (f) => f.t === 'voice_state_update' && !(f.d as { present: boolean }).present,
    );
    expect(left.d).toMatchObject({ userId: ann.id, present: false });
    expect(s.socket.events('voice_state_update')).toHaveLength(0);
    for (const x of [a, b, c, s]) x.socket.close();
  });

  it('refuse text channels, strangers and muting outside voice', async () => {
    const a = await TestSocket.identified(server.wsUrl, ann.token);
    const s = await TestSocket.identified(server.wsUrl, stranger.token);
    const text = guild.channels.find((ch) => ch.type === 'text')?.id;
    expect(await a.socket.request('voice_join', { channelId: text })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input' },
    });
    expect(await s.socket.request('voice_join', { channelId: voiceChannel })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
    expect(await a.socket.request('voice_state', { muted: true })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input' },
    });
    a.socket.close();
    s.socket.close();
  });

  it('relay signals only between people in the same channel, and drop a user whose socket goes', async () => {
    const a = await TestSocket.identified(server.wsUrl, ann.token);
    const b = await TestSocket.identified(server.wsUrl, ben.token);
    const c = await TestSocket.identified(server.wsUrl, cat.token);
    expect(
      await a.socket.request('voice_signal', {
        to: ben.id,
        payload: { description: { type: 'offer', sdp: 'x' } },
      }),
    ).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
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
    const signal = await b.socket.next((f) => f.t === 'voice_signal');
    expect(signal.d).toEqual({ from: ann.id, payload: { description: { type: 'offer', sdp: 'v=0' } } });
    expect(c.socket.events('voice_signal')).toHaveLength(0);
    a.socket.ws.close(1000);
    const gone = await b.socket.next(
      (f) =>
        f.t === 'voice_state_update' &&
        (f.d as { userId: string; present: boolean }).userId === ann.id &&
        !(f.d as { present: boolean }).present,
    );
    expect(gone.d).toMatchObject({ present: false });
    await b.socket.request('voice_leave', {});
    b.socket.close();
    c.socket.close();
  });
  it('end with the tab that joined, even while the user has other tabs open', async () => {
    const watcher = await TestSocket.identified(server.wsUrl, ben.token);
    const tab1 = await TestSocket.identified(server.wsUrl, cat.token);
    const tab2 = await TestSocket.identified(server.wsUrl, cat.token);
    expect((await tab1.socket.request('voice_join', { channelId: voiceChannel })).ok).toBe(true);
    await watcher.socket.next(
      (f) => f.t === 'voice_state_update' && (f.d as { userId: string }).userId === cat.id,
    );
    tab1.socket.ws.terminate();
    const gone = await watcher.socket.next(
      (f) =>
        f.t === 'voice_state_update' &&
        (f.d as { userId: string; present: boolean }).userId === cat.id &&
        !(f.d as { present: boolean }).present,
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
    const started = await a.socket.request('call_start', { userId: stranger.id });
    const { callId } = started.d as { callId: string };
    expect((await s.socket.next((f) => f.t === 'call_incoming')).d).toEqual({
      callId,
      from: { id: ann.id, username: 'ann' },
    });
    expect((await a.socket.next((f) => f.t === 'call_update')).d).toEqual({ callId, state: 'ringing' });
    expect((await s.socket.request('call_accept', { callId })).ok).toBe(true);
    await a.socket.next((f) => f.t === 'call_update' && (f.d as { state: string }).state === 'active');
    expect(
      (await s.socket.request('voice_signal', { to: ann.id, payload: { candidate: { candidate: 'c' } } })).ok,
    ).toBe(true);
    expect((await a.socket.next((f) => f.t === 'voice_signal')).d).toEqual({
      from: stranger.id,
      payload: { candidate: { candidate: 'c' } },
    });
    expect((await a.socket.request('call_end', { callId })).ok).toBe(true);
    await s.socket.next((f) => f.t === 'call_update' && (f.d as { state: string }).state === 'ended');
    expect(
      await s.socket.request('voice_signal', { to: ann.id, payload: { candidate: null } }),
    ).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    a.socket.close();
    s.socket.close();
  });

  it('can be rejected, go unanswered (missed), and only reach friends', async () => {
    const a = await TestSocket.identified(server.wsUrl, ann.token);
    const s = await TestSocket.identified(server.wsUrl, stranger.token);
    const first = ((await a.socket.request('call_start', { userId: stranger.id })).d as { callId: string })
      .callId;
    expect((await a.socket.request('call_reject', { callId: first })).ok).toBe(false);
    expect((await s.socket.request('call_reject', { callId: first })).ok).toBe(true);
    await a.socket.next((f) => f.t === 'call_update' && (f.d as { state: string }).state === 'rejected');
    await a.socket.request('call_start', { userId: stranger.id });
    await a.socket.next((f) => f.t === 'call_update' && (f.d as { state: string }).state === 'missed', 3_000);
    expect(await a.socket.request('call_start', { userId: ben.id })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect(await a.socket.request('call_accept', { callId: 'nope' })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
    a.socket.close();
    s.socket.close();
  });

  it('serve the configured ICE servers', async () => {
    const res = await http.get('/api/voice/ice-servers', { token: ann.token });
    expect(res.body).toEqual({ iceServers: [{ urls: 'stun:stun.example.test:3478' }] });
    expect((await http.get('/api/voice/ice-servers')).status).toBe(401);
  });
});
