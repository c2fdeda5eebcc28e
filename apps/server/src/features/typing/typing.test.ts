import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { joinServer, makeServer, makeUsers, type TestUser, textChannel } from '../../../test/factories.js';
import { type Api, api } from '../../../test/http.js';
import { startTestServer, type TestServer } from '../../../test/test-server.js';
import { TestSocket } from '../../../test/ws-client.js';

let server: TestServer;
let http: Api;
let ann: TestUser;
let ben: TestUser;
let stranger: TestUser;
let channel: string;

beforeAll(async () => {
  server = await startTestServer();
  http = api(server.url);
  [ann, ben, stranger] = await makeUsers(http, ['ann', 'ben', 'stranger']);
  const guild = await makeServer(http, ann, 'Typing');
  await joinServer(http, guild, ann, [ben]);
  channel = textChannel(guild);
});
afterAll(() => server.close());

describe('typing', () => {
  it('reaches the others in the channel once per 5 s, never the typist or strangers', async () => {
    const a = await TestSocket.identified(server.wsUrl, ann.token);
    const b = await TestSocket.identified(server.wsUrl, ben.token);
    const s = await TestSocket.identified(server.wsUrl, stranger.token);
    for (let i = 0; i < 5; i++)
      expect((await a.socket.request('typing', { channelId: channel })).ok).toBe(true);
    const event = await b.socket.next((f) => f.t === 'typing_start');
    expect(event.d).toEqual({ channelId: channel, userId: ann.id });
    // Ben typing is a separate stream, heard by Ann.
    await b.socket.request('typing', { channelId: channel });
    await a.socket.next((f) => f.t === 'typing_start');
    await new Promise((r) => setTimeout(r, 150));
    expect(b.socket.events('typing_start')).toHaveLength(1);
    expect(a.socket.events('typing_start').map((e) => (e.d as { userId: string }).userId)).toEqual([ben.id]);
    expect(s.socket.events('typing_start')).toHaveLength(0);
    for (const x of [a, b, s]) x.socket.close();
  });

  it('is refused in a channel you cannot see, and for malformed payloads', async () => {
    const s = await TestSocket.identified(server.wsUrl, stranger.token);
    expect(await s.socket.request('typing', { channelId: channel })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
    expect(await s.socket.request('typing', {})).toMatchObject({
      ok: false,
      error: { code: 'invalid_input' },
    });
    s.socket.close();
  });
});
