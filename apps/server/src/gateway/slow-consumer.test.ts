import type { Socket } from 'node:net';
import { CLOSE_CODES, type Message } from '@decentra/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { people } from '../../test/people.js';
import { startTestServer, type TestServer } from '../../test/test-server.js';
import { type Frame, TestSocket } from '../../test/ws-client.js';
import { dispatch } from '../kernel/events.js';

const EVENTS = 1_200;
const PAD = 'x'.repeat(8 * 1024);

/** A big event numbered `n` (its message id is n + 1). */
function padded(n: number): Message {
  const at = new Date(0).toISOString();
  const author = { id: '1', username: 'slowpoke' };
  return {
    id: String(n + 1),
    channelId: '1',
    author,
    content: PAD,
    mentions: [],
    createdAt: at,
    editedAt: null,
  };
}

const numberOf = (f: Frame) => Number((f.d as { id: string }).id) - 1;

let server: TestServer;
let token: string;
let userId: string;

beforeAll(async () => {
  server = await startTestServer({ gateway: { maxBufferedBytes: 64 * 1024, replayBufferSize: 2_000 } });
  const [slowpoke] = await people(server.url, ['slowpoke']);
  token = slowpoke.token;
  userId = slowpoke.id;
});
afterAll(() => server.close());

describe('a slow consumer', () => {
  it('is closed with 4011 past its send bound, and resumes without losing or repeating an event', async () => {
    const { socket, ready } = await TestSocket.identified(server.wsUrl, token);
    const raw = (socket.ws as unknown as { _socket: Socket })._socket;
    raw.pause(); // stops reading: the server's output piles up unsent
    const from = socket.frames.length;
    for (let n = 0; n < EVENTS; n++) {
      await server.app.bus.publish([
        dispatch('message_create', padded(n), { kind: 'users', userIds: [userId] }),
      ]);
    }
    raw.resume();
    const closed = await socket.closed;
    expect(closed.code).toBe(CLOSE_CODES.slowConsumer);
    const seen = socket.frames.slice(from).filter((f) => f.t === 'message_create');
    expect(seen.length).toBeLessThan(EVENTS);
    const lastSeq = seen.at(-1)?.seq ?? 0;

    const again = await TestSocket.open(server.wsUrl);
    again.send({ op: 'resume', d: { token, sessionId: ready.sessionId, seq: lastSeq } });
    await again.next((f) => f.op === 'resumed');
    const last = await again.next((f) => f.t === 'message_create' && numberOf(f) === EVENTS - 1);
    expect(last).toBeDefined();
    const ns = [...seen, ...again.frames.filter((f) => f.t === 'message_create')].map(numberOf);
    expect(ns).toEqual(Array.from({ length: EVENTS }, (_, n) => n));
    expect(again.ws.readyState).toBe(again.ws.OPEN);
    again.ws.close(1000);
  }, 30_000);
});
