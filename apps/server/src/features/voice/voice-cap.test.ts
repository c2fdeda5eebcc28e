import type { Server } from '@decentra/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../../../test/barriers.js';
import { type Person, people, serverWith, voiceChannelOf } from '../../../test/people.js';
import { startTestServer, type TestServer } from '../../../test/test-server.js';
import { joinVoice, refusal } from '../../../test/voice.js';
import { TestSocket } from '../../../test/ws-client.js';

/** A voice channel holds DECENTRA_VOICE_CHANNEL_LIMIT people, however many try at once. */
const LIMIT = 3;

let server: TestServer;
let everyone: readonly Person[];
let guild: Server;
const sockets: TestSocket[] = [];

beforeAll(async () => {
  server = await startTestServer({ config: { voice: { channelLimit: LIMIT } } });
  everyone = await people(server.url, ['ann', 'ben', 'cat', 'dan', 'eve', 'fay']);
  const [owner, ...rest] = everyone;
  if (!owner) throw new Error('no owner');
  guild = await serverWith(owner, 'Capped', rest);
});
afterAll(() => server.close());

async function online(person: Person): Promise<TestSocket> {
  const { socket } = await TestSocket.identified(server.wsUrl, person.token);
  sockets.push(socket);
  return socket;
}
async function closeAll(): Promise<void> {
  for (const s of sockets.splice(0)) s.ws.close(1000);
  await until(() => server.app.gateway.sessionCount === 0);
}
const join = (socket: TestSocket, channelId: string) => socket.request('voice_join', { channelId });

describe('the voice channel cap', () => {
  it('lets exactly LIMIT of six simultaneous joins in and refuses the rest as channel_full', async () => {
    const channel = voiceChannelOf(guild);
    const socks = await Promise.all(everyone.map(online));
    const replies = await Promise.all(socks.map((s) => join(s, channel)));
    expect(replies.filter((r) => r.ok)).toHaveLength(LIMIT);
    for (const refused of replies.filter((r) => !r.ok)) {
      expect(refusal(refused)).toEqual({ code: 'conflict', reason: 'channel_full' });
    }
    const { socket, ready } = await TestSocket.identified(server.wsUrl, everyone[0]?.token ?? '');
    sockets.push(socket);
    expect(ready.voiceStates).toHaveLength(LIMIT);
    // Someone leaves: one of those refused gets in, and the channel is full again.
    const inside = socks.filter((_, i) => replies[i]?.ok);
    const outside = socks.filter((_, i) => !replies[i]?.ok);
    expect((await inside[0]?.request('voice_leave', {}))?.ok).toBe(true);
    expect((await join(outside[0] as TestSocket, channel)).ok).toBe(true);
    expect(refusal(await join(outside[1] as TestSocket, channel)).reason).toBe('channel_full');
    await closeAll();
  });

  it('does not count someone twice who joins again, from the same tab or another', async () => {
    const lounge = await everyone[0]?.rest.createChannel({
      serverId: guild.id,
      name: 'Lounge',
      type: 'voice',
    });
    if (!lounge) throw new Error('no channel');
    const [a, b, c, d] = await Promise.all(everyone.slice(0, 4).map(online));
    if (!a || !b || !c || !d) throw new Error('not online');
    for (const s of [a, b, c]) await joinVoice(s, lounge.id);
    expect(refusal(await join(d, lounge.id)).reason).toBe('channel_full');
    // Full, yet Ann may join again, from this tab and from a second one (which takes her voice over).
    await joinVoice(a, lounge.id);
    const second = await online(everyone[0] as Person);
    await joinVoice(second, lounge.id);
    expect(refusal(await join(d, lounge.id)).reason).toBe('channel_full');
    // A refused join left Dan where he was: in no channel, so he cannot mute.
    expect(refusal(await d.request('voice_state', { muted: true, deafened: false })).code).toBe(
      'invalid_input',
    );
    await closeAll();
  });
});
