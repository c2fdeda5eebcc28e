import { ROUTE_NAMES, ROUTES, type RouteSpec } from '@decentra/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, api } from '../../test/http.js';
import { type Person, people, refused, textChannelOf } from '../../test/people.js';
import { startTestServer, type TestServer } from '../../test/test-server.js';
import { TestSocket } from '../../test/ws-client.js';

/** Ids a bigint column cannot hold: PostgreSQL refused them with an error that became a 500. */
const OUT_OF_RANGE = ['9223372036854775808', '9999999999999999999'];

let server: TestServer;
let http: Api;
let owner: Person;
let channelId: string;

beforeAll(async () => {
  server = await startTestServer({ sendLimits: { points: 100_000, windowSeconds: 5 } });
  http = api(server.url);
  [owner] = await people(server.url, ['owner']);
  channelId = textChannelOf(await owner.rest.createServer({ name: 'Edges' }));
});
afterAll(() => server.close());

const invalid = { status: 400, body: { error: { code: 'invalid_input' } } };

describe('ids out of the 64-bit range', () => {
  it('are invalid_input in every path parameter of every route', async () => {
    for (const name of ROUTE_NAMES) {
      const spec: RouteSpec = ROUTES[name];
      // Every path parameter is an id but an invite's code (a string: 19 digits is a code like any
      // other) and a file's name (any name, digits too).
      const params = (spec.path.match(/:[A-Za-z]+/g) ?? []).filter((p) => p !== ':code' && p !== ':filename');
      for (const param of params) {
        for (const id of OUT_OF_RANGE) {
          const path = spec.path.replace(/:[A-Za-z]+/g, (p) => (p === param ? id : '1'));
          const res = await http.request(spec.method, path, spec.body ? {} : undefined, {
            token: owner.token,
          });
          expect({ status: res.status, body: res.body }, `${spec.method} ${path}`).toMatchObject(invalid);
        }
      }
    }
  });

  it('are invalid_input in queries and bodies', async () => {
    for (const id of OUT_OF_RANGE) {
      for (const q of [`before=${id}`, `after=${id}`]) {
        const res = await http.get(`/api/channels/${channelId}/messages?${q}`, { token: owner.token });
        expect({ status: res.status, body: res.body }, q).toMatchObject(invalid);
      }
      const dm = await http.post('/api/dms', { userId: id }, { token: owner.token });
      expect({ status: dm.status, body: dm.body }).toMatchObject(invalid);
    }
  });

  it('are invalid_input in every op field that holds an id', async () => {
    const { socket } = await TestSocket.identified(server.wsUrl, owner.token);
    for (const id of OUT_OF_RANGE) {
      for (const [op, d] of [
        ['send_message', { channelId: id, content: 'x', nonce: 'n1' }],
        ['typing', { channelId: id }],
        ['voice_join', { channelId: id }],
        ['voice_signal', { to: id, payload: { candidate: null } }],
        ['call_start', { userId: id }],
      ] as const) {
        expect(await socket.request(op, d), op).toMatchObject({
          ok: false,
          error: { code: 'invalid_input' },
        });
      }
    }
    socket.close();
  });
});

/** `[[[[…]]]]` or `{"a":{"a":…}}` nested `depth` deep, as JSON text. */
const nested = (depth: number, open = '{"a":', close = '}', inner = '1') =>
  `${open.repeat(depth)}${inner}${close.repeat(depth)}`;

describe('JSON nesting', () => {
  it('is bounded in REST bodies: 400, and nothing stored', async () => {
    const res = await http.request('POST', `/api/channels/${channelId}/messages`, undefined, {
      token: owner.token,
      raw: `{"content":"x","nonce":${nested(5_000, '[', ']')}}`,
    });
    expect({ status: res.status, body: res.body }).toMatchObject(invalid);
    expect(await owner.rest.listMessages({ channelId })).toEqual([]);
  });

  it('is bounded in gateway frames: a voice_signal nested thousands deep gets invalid_input', async () => {
    const { socket } = await TestSocket.identified(server.wsUrl, owner.token);
    socket.send(`{"op":"voice_signal","ref":"deep","d":{"to":"1","payload":${nested(5_000, '[', ']')}}}`);
    const reply = await socket.next((f) => f.op === 'reply' && f.ref === 'deep');
    expect(reply).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(await socket.request('typing', { channelId })).toMatchObject({ ok: true });
    socket.close();
  });
});

describe('lone surrogates', () => {
  it('are refused in REST bodies, so two nonces that differ only there cannot collide', async () => {
    const send = (content: string, nonce?: string) =>
      owner.rest.sendMessage({ channelId, content, ...(nonce === undefined ? {} : { nonce }) });
    // One at a time: each refusal is awaited before the next request is made.
    const calls = [
      () => send('first', 'nonce-\ud800'),
      () => send('second', 'nonce-\udbff'),
      () => send('half an emoji \ud83d'),
    ];
    for (const call of calls) {
      expect(await refused(call())).toMatchObject({ status: 400, code: 'invalid_input' });
    }
    expect(await owner.rest.listMessages({ channelId })).toEqual([]);
    // A whole emoji (a surrogate pair) is of course fine.
    expect((await send('a whole emoji 😀')).content).toBe('a whole emoji 😀');
  });

  it('are refused in gateway frames', async () => {
    const { socket } = await TestSocket.identified(server.wsUrl, owner.token);
    const reply = await socket.request('send_message', { channelId, content: 'x', nonce: 'n-\udc00' });
    expect(reply).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    socket.close();
  });
});

describe('invalid UTF-8 in a text frame', () => {
  it('gets an invalid_input reply and the socket stays open, as for any malformed frame', async () => {
    const { socket } = await TestSocket.identified(server.wsUrl, owner.token);
    const bad = Buffer.concat([
      Buffer.from('{"op":"ping","x":"'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('"}'),
    ]);
    socket.ws.send(bad, { binary: false });
    const reply = await socket.next((f) => f.op === 'reply');
    expect(reply).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(await socket.request('typing', { channelId })).toMatchObject({ ok: true });
    expect(socket.ws.readyState).toBe(socket.ws.OPEN);
    socket.close();
  });
});
