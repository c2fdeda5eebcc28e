import type { Server } from '@decentra/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settled } from '../../../test/barriers.js';
import { ManualClock } from '../../../test/manual-clock.js';
import { type Person, people, serverWith, textChannelOf } from '../../../test/people.js';
import { startTestServer, type TestServer } from '../../../test/test-server.js';
import { TestSocket } from '../../../test/ws-client.js';
import { TYPING_INTERVAL_MS } from './typing.service.js';

/** The throttle's time: it passes only when a test moves it. */
const clock = new ManualClock();

let server: TestServer;
let ann: Person;
let ben: Person;
let stranger: Person;
let guild: Server;
let channel: string;

beforeAll(async () => {
  server = await startTestServer({ clock });
  [ann, ben, stranger] = await people(server.url, ['ann', 'ben', 'stranger']);
  guild = await serverWith(ann, 'Typing', [ben]);
  channel = textChannelOf(guild);
});
afterAll(() => server.close());

const typing = async (socket: TestSocket, channelId: string) =>
  expect((await socket.request('typing', { channelId })).ok).toBe(true);

describe('typing', () => {
  it('reaches the others in the channel, never the typist or strangers', async () => {
    const a = await TestSocket.identified(server.wsUrl, ann.token);
    const b = await TestSocket.identified(server.wsUrl, ben.token);
    const s = await TestSocket.identified(server.wsUrl, stranger.token);
    await typing(a.socket, channel);
    expect((await b.socket.nextEvent('typing_start')).d).toEqual({
      channelId: channel,
      userId: ann.id,
      username: 'ann',
    });
    // Ben typing is a separate stream, heard by Ann.
    await typing(b.socket, channel);
    expect((await a.socket.nextEvent('typing_start')).d).toEqual({
      channelId: channel,
      userId: ben.id,
      username: 'ben',
    });
    // Each typist's event went out before its reply, so their own sockets have it by now if it
    // was theirs too; the stranger's gets a ping round trip.
    await settled(s.socket);
    expect(a.socket.payloads('typing_start')).toEqual([
      { channelId: channel, userId: ben.id, username: 'ben' },
    ]);
    expect(b.socket.payloads('typing_start')).toEqual([
      { channelId: channel, userId: ann.id, username: 'ann' },
    ]);
    expect(s.socket.events('typing_start')).toHaveLength(0);
    for (const x of [a, b, s]) x.socket.close();
  });

  it('is heard once per 5 s per typist and channel; repeats in between are absorbed', async () => {
    // Ann typed in #general a moment ago on this clock: another channel is a stream of its own.
    const fresh = (await ann.rest.createChannel({ serverId: guild.id, name: 'quiet', type: 'text' })).id;
    const a = await TestSocket.identified(server.wsUrl, ann.token);
    const b = await TestSocket.identified(server.wsUrl, ben.token);
    const heard = () => b.socket.payloads('typing_start').filter((d) => d.channelId === fresh);
    for (let i = 0; i < 5; i++) await typing(a.socket, fresh);
    clock.advance(TYPING_INTERVAL_MS - 1);
    await typing(a.socket, fresh);
    clock.advance(1);
    const seen = b.socket.frames.length;
    await typing(a.socket, fresh);
    await b.socket.next((f) => f.op === 'event' && f.t === 'typing_start', 5_000, seen);
    // Ann's frames were handled in order, each event sent before its reply: whatever the six
    // before sent Ben arrived before this one.
    const once = { channelId: fresh, userId: ann.id, username: 'ann' };
    expect(heard()).toEqual([once, once]);
    for (const x of [a, b]) x.socket.close();
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
