import type { GatewayEvent } from '@decentra/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { dispatch, toUsers } from '../../../apps/server/src/kernel/events.js';
import { ManualClock } from '../../../apps/server/test/manual-clock.js';
import { startTestServer, type TestServer } from '../../../apps/server/test/test-server.js';
import { TestSocket } from '../../../apps/server/test/ws-client.js';
import {
  GatewayClient,
  type GatewayClientEvents,
  GatewayRequestError,
  type GatewayState,
} from './gateway.js';
import { RestClient } from './rest.js';

const BUFFER = 20;

let server: TestServer;
let admin: RestClient;

beforeAll(async () => {
  server = await startTestServer({ gateway: { replayBufferSize: BUFFER, sessionTtlMs: 10_000 } });
  admin = new RestClient({ baseUrl: server.url });
  await admin.signup({ username: 'gwadmin', password: 'password123' });
});
afterAll(() => server.close());

let users = 0;
async function newUser(): Promise<{ token: string; id: string }> {
  const { code } = await admin.createInvite();
  const rest = new RestClient({ baseUrl: server.url });
  users += 1;
  const { token, user } = await rest.signup({
    username: `gwuser${users}`,
    password: 'password123',
    inviteCode: code,
  });
  return { token, id: user.id };
}

/** Frames from the server that the contract does not allow: there must be none. */
const invalidFrames: string[] = [];
afterEach(() => {
  expect(invalidFrames).toEqual([]);
});

/** A client with everything it reports recorded (on a clock of the test's, if given). */
function watched(token: string, clock?: ManualClock) {
  const client = new GatewayClient({
    url: server.wsUrl,
    token,
    WebSocket,
    reconnectDelayMs: 10,
    maxReconnectDelayMs: 50,
    validate: true,
    ...(clock ? { clock } : {}),
  });
  client.on('invalidFrame', ({ error }) => invalidFrames.push(error));
  const seen = { events: [] as GatewayEvent[], states: [] as GatewayState[], signals: [] as string[] };
  client.on('event', (frame) => seen.events.push(frame));
  client.on('state', (state) => seen.states.push(state));
  for (const signal of ['ready', 'resumed', 'reset', 'closed'] as const) {
    client.on(signal, (() => seen.signals.push(signal)) as GatewayClientEvents[typeof signal]);
  }
  const ns = () => seen.events.flatMap((e) => (e.t === 'typing_start' ? [Number(e.d.channelId)] : []));
  return { client, seen, ns };
}

/** Events numbered `from`..`to`: `typing_start` whose channelId is the number (nothing reads it). */
function publish(userId: string, from: number, to: number) {
  const messages = [];
  for (let n = from; n <= to; n++) {
    messages.push(
      dispatch('typing_start', { channelId: String(n), userId, username: 'u' }, toUsers(BigInt(userId))),
    );
  }
  return server.app.bus.publish(messages);
}

/** Cuts the client's socket on the server side, without a close frame. */
function kill(userId: string, sessionId: string | undefined): void {
  for (const session of server.app.gateway.subscriptions.sessionsOfUser(userId)) {
    if (session.sessionId === sessionId) session.conn?.ws.terminate();
  }
}

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('GatewayClient against a real server', () => {
  it('identifies and hands out ready', async () => {
    const user = await newUser();
    const { client, seen } = watched(user.token);
    const ready = await client.connect();
    expect(ready.user.id).toBe(user.id);
    expect(client.sessionId).toBe(ready.sessionId);
    expect(client.state).toBe('ready');
    expect(seen.states).toEqual(['connecting', 'ready']);
    client.close();
    expect(seen.states.at(-1)).toBe('closed');
  });

  it('resumes after the server drops its socket, delivering every event exactly once and in order', async () => {
    const user = await newUser();
    const { client, seen, ns } = watched(user.token);
    const ready = await client.connect();
    await publish(user.id, 1, 5);
    await until(() => seen.events.length === 5);
    for (let round = 0; round < 3; round++) {
      const resumedBefore = seen.signals.filter((s) => s === 'resumed').length;
      const start = 6 + round * 10;
      kill(user.id, client.sessionId);
      // Some of these go out with the dying socket, the rest while it is away: all must arrive once.
      await publish(user.id, start, start + 4);
      await until(() => seen.signals.filter((s) => s === 'resumed').length === resumedBefore + 1);
      await publish(user.id, start + 5, start + 9);
    }
    await until(() => seen.events.length === 35);
    expect(ns()).toEqual(range(1, 35));
    expect(seen.events.map((e) => e.seq)).toEqual(range(1, 35));
    expect(client.lastSeq).toBe(35);
    expect(client.sessionId).toBe(ready.sessionId);
    expect(seen.signals).toEqual(['ready', 'resumed', 'resumed', 'resumed']);
    expect(seen.states).toEqual(['connecting', 'ready', ...Array(3).fill(['reconnecting', 'ready']).flat()]);
    client.close();
  });

  it('starts afresh and says reset when the session cannot be resumed', async () => {
    const user = await newUser();
    const { client, seen, ns } = watched(user.token);
    const first = await client.connect();
    await publish(user.id, 1, 2);
    await until(() => seen.events.length === 2);
    let resetWith: string | undefined;
    client.on('reset', (data) => {
      resetWith = data.sessionId;
    });
    kill(user.id, client.sessionId);
    // More than the replay buffer holds: the missed events can only be refetched.
    await publish(user.id, 3, 3 + BUFFER);
    await until(() => resetWith !== undefined);
    expect(resetWith).not.toBe(first.sessionId);
    expect(client.sessionId).toBe(resetWith);
    expect(client.readyData?.sessionId).toBe(resetWith);
    expect(seen.signals).toEqual(['ready', 'ready', 'reset']);
    await publish(user.id, 100, 100);
    await until(() => ns().includes(100));
    expect(ns()).toEqual([1, 2, 100]);
    expect(seen.events.at(-1)?.seq).toBe(1);
    client.close();
  });

  it('starts afresh when another socket takes its session over (4010)', async () => {
    const user = await newUser();
    const { client, seen } = watched(user.token);
    const first = await client.connect();
    const taker = await TestSocket.open(server.wsUrl);
    taker.send({ op: 'resume', d: { token: user.token, sessionId: first.sessionId, seq: 0 } });
    await taker.next((f) => f.op === 'resumed');
    await until(() => seen.signals.includes('reset'));
    expect(client.sessionId).not.toBe(first.sessionId);
    expect(client.state).toBe('ready');
    // The client identified afresh (it got a new session): it did not fight back for the old one,
    // which the taker still holds and is served on.
    const from = taker.frames.length;
    taker.send({ op: 'ping' });
    await taker.next((f) => f.op === 'pong', 5_000, from);
    expect(taker.ws.readyState).toBe(taker.ws.OPEN);
    taker.close();
    client.close();
  });

  it('rejects a refused request with the server code, and any request while disconnected', async () => {
    const user = await newUser();
    const { client } = watched(user.token);
    await expect(client.request('voice_state', { muted: true, deafened: false })).rejects.toMatchObject({
      code: 'disconnected',
    });
    await client.connect();
    const err = await client
      .request('voice_state', { muted: true, deafened: false })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GatewayRequestError);
    expect(err).toMatchObject({ code: 'invalid_input' });
    expect((err as Error).message).toMatch(/not in a voice channel/);
    client.close();
  });

  it('stops for good on logout (4009) and on close(), where the server forgets the session', async () => {
    const user = await newUser();
    const rest = new RestClient({ baseUrl: server.url });
    const login = await rest.login({ username: `gwuser${users}`, password: 'password123' });
    const clientClock = new ManualClock();
    const doomed = watched(login.token, clientClock);
    await doomed.client.connect();
    await rest.logout();
    await until(() => doomed.client.state === 'closed');
    expect(doomed.seen.signals).toEqual(['ready', 'closed']);
    // Nothing is left scheduled (no reconnect, no heartbeat), and time passing changes nothing.
    expect(clientClock.pending).toBe(0);
    clientClock.advance(60_000);
    expect(doomed.seen.states.at(-1)).toBe('closed');

    const { client } = watched(user.token);
    const ready = await client.connect();
    const sessions = server.app.gateway.subscriptions.sessionsOfUser(user.id);
    expect([...sessions].map((s) => s.sessionId)).toContain(ready.sessionId);
    client.close();
    await until(() => ![...sessions].some((s) => s.sessionId === ready.sessionId));
  });

  it('stops for good when an admin disables the account (4012)', async () => {
    const user = await newUser();
    const clientClock = new ManualClock();
    const doomed = watched(user.token, clientClock);
    const closes: number[] = [];
    doomed.client.on('closed', ({ code }) => closes.push(code));
    await doomed.client.connect();
    await admin.adminUpdateUser({ userId: user.id, disabled: true });
    await until(() => doomed.client.state === 'closed');
    // The app says why from the code (apps/web/src/app/client.ts).
    expect(closes).toEqual([4012]);
    expect(doomed.seen.signals).toEqual(['ready', 'closed']);
    expect(clientClock.pending).toBe(0);
  });

  it('rejects connect() when the token is refused', async () => {
    const client = new GatewayClient({ url: server.wsUrl, token: 'not-a-token', WebSocket });
    await expect(client.connect()).rejects.toThrow(/4001/);
    expect(client.state).toBe('closed');
  });
});
