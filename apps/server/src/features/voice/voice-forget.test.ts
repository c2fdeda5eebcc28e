import type { VoiceState } from '@decentra/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../../../test/barriers.js';
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

/**
 * People are forgotten by voice the moment they lose the right to be there: kicked, gone from the
 * server, their channel or server deleted, unfriended. Everyone (they too) hears it at once, no
 * signal of theirs passes afterwards, and `ready` no longer lists them.
 */
let server: TestServer;
let ann: Person;
let ben: Person;
let cat: Person;
let dan: Person;
let eve: Person;

beforeAll(async () => {
  server = await startTestServer();
  [ann, ben, cat, dan, eve] = await people(server.url, ['ann', 'ben', 'cat', 'dan', 'eve']);
});
afterAll(() => server.close());

const sockets: TestSocket[] = [];
async function online(person: Person): Promise<TestSocket> {
  const { socket } = await TestSocket.identified(server.wsUrl, person.token);
  sockets.push(socket);
  return socket;
}
/** Ends every session of the test (clean closes) and waits for the server to have ended them. */
async function closeAll(): Promise<void> {
  for (const s of sockets.splice(0)) s.ws.close(1000);
  await until(() => server.app.gateway.sessionCount === 0);
}

/**
 * The events a socket heard since `from`, presence aside: presence announcements go out paced
 * (up to 250 ms after the change), so one from the room's set-up can land among the removal's.
 */
function eventsOtherThanPresence(socket: TestSocket, from = 0): (string | undefined)[] {
  return socket.frames
    .slice(from)
    .filter((f) => f.op === 'event' && f.t !== 'presence_update' && f.t !== 'presence_batch')
    .map((f) => f.t);
}

/** A fresh server owned by Ann with the others, everyone in its voice channel. */
async function roomOf(name: string, members: Person[]) {
  const guild = await serverWith(ann, name, members);
  const channel = voiceChannelOf(guild);
  const everyone = [ann, ...members];
  const socks = new Map<Person, TestSocket>();
  for (const person of everyone) socks.set(person, await online(person));
  const socketOf = (p: Person): TestSocket => socks.get(p) ?? expect.fail(`${p.username} is not online`);
  for (const person of everyone) await joinVoice(socketOf(person), channel);
  // Everyone has heard everyone join: what follows is about the removal only.
  for (const person of everyone) {
    for (const other of everyone)
      await socketOf(person).nextEvent('voice_state_update', (d) => d.userId === other.id && d.present);
  }
  return { guild, channel, socketOf };
}

/** What a new `ready` of this person lists in these voice channels (earlier tests' sockets aside). */
const statesOf = async (person: Person, channelIds: string[]): Promise<VoiceState[]> => {
  const { socket, ready } = await TestSocket.identified(server.wsUrl, person.token);
  sockets.push(socket);
  return (ready.voiceStates as VoiceState[]).filter((v) => channelIds.includes(v.channelId));
};

describe('voice forgets at once', () => {
  it('a kicked member: the others and they themselves hear them leave, their signals stop, ready omits them', async () => {
    const { guild, channel, socketOf } = await roomOf('Kick', [ben, cat]);
    const kicked = socketOf(cat);
    const from = kicked.frames.length;
    await ann.rest.removeMember({ serverId: guild.id, userId: cat.id });
    // Refused at once, both ways: the answer to the kick came after cat was forgotten.
    expect(refusal(await offer(kicked, ben.id)).code).toBe('forbidden');
    expect(refusal(await offer(socketOf(ben), cat.id)).code).toBe('forbidden');
    for (const p of [ann, ben]) {
      expect(await goneFromVoice(socketOf(p), cat.id)).toEqual({
        channelId: channel,
        userId: cat.id,
        muted: false,
        deafened: false,
        present: false,
      });
    }
    expect((await goneFromVoice(kicked, cat.id, from)).channelId).toBe(channel);
    // They heard it before member_leave, while still in the server's audience; then nothing more.
    expect(eventsOtherThanPresence(kicked, from)).toEqual(['voice_state_update', 'member_leave']);
    expect((await statesOf(ben, [channel])).map((s) => s.userId).sort()).toEqual([ann.id, ben.id].sort());
    expect(await statesOf(cat, [channel])).toEqual([]);
    // Ann and Ben still talk.
    expect((await offer(socketOf(ann), ben.id)).ok).toBe(true);
    await closeAll();
  });

  it('a member who leaves the server', async () => {
    const { guild, channel, socketOf } = await roomOf('Leave', [ben, dan]);
    const leaving = socketOf(dan);
    const from = leaving.frames.length;
    await dan.rest.removeMember({ serverId: guild.id, userId: '@me' });
    expect(refusal(await offer(leaving, ann.id)).code).toBe('forbidden');
    expect(refusal(await offer(socketOf(ann), dan.id)).code).toBe('forbidden');
    await goneFromVoice(socketOf(ann), dan.id);
    await goneFromVoice(socketOf(ben), dan.id);
    await goneFromVoice(leaving, dan.id, from);
    expect((await statesOf(ann, [channel])).map((s) => s.userId).sort()).toEqual([ann.id, ben.id].sort());
    await closeAll();
  });

  it('everyone in a voice channel that is deleted, and only them', async () => {
    const { guild, channel: general, socketOf } = await roomOf('Delete channel', [ben, cat]);
    const lounge = await ann.rest.createChannel({ serverId: guild.id, name: 'Lounge', type: 'voice' });
    await joinVoice(socketOf(ben), lounge.id);
    await joinVoice(socketOf(cat), lounge.id);
    for (const p of [ann, ben, cat])
      await socketOf(p).nextEvent(
        'voice_state_update',
        (d) => d.userId === cat.id && d.channelId === lounge.id,
      );
    const from = new Map([ann, ben, cat].map((p) => [p, socketOf(p).frames.length]));
    await ann.rest.deleteChannel({ channelId: lounge.id });
    expect(refusal(await offer(socketOf(ben), cat.id)).code).toBe('forbidden');
    expect(refusal(await offer(socketOf(cat), ben.id)).code).toBe('forbidden');
    for (const p of [ann, ben, cat]) {
      for (const gone of [ben, cat]) {
        const state = await goneFromVoice(socketOf(p), gone.id, from.get(p));
        expect(state.channelId).toBe(lounge.id);
      }
    }
    // Before channel_delete, and nobody else left: Ann is still in General.
    await socketOf(ann).nextEvent('channel_delete', (d) => d.id === lounge.id, 5_000, from.get(ann));
    expect(eventsOtherThanPresence(socketOf(ann), from.get(ann))).toEqual([
      'voice_state_update',
      'voice_state_update',
      'channel_delete',
    ]);
    expect(await statesOf(ben, [general, lounge.id])).toEqual([
      { channelId: general, userId: ann.id, muted: false, deafened: false, present: true },
    ]);
    await closeAll();
  });

  it('everyone in the voice channels of a server that is deleted', async () => {
    const { guild, channel, socketOf } = await roomOf('Delete server', [ben]);
    const from = socketOf(ben).frames.length;
    await ann.rest.deleteServer({ serverId: guild.id });
    expect(refusal(await offer(socketOf(ben), ann.id)).code).toBe('forbidden');
    expect(refusal(await offer(socketOf(ann), ben.id)).code).toBe('forbidden');
    for (const p of [ann, ben]) {
      for (const gone of [ann, ben])
        expect((await goneFromVoice(socketOf(p), gone.id, from)).channelId).toBe(channel);
    }
    await socketOf(ben).nextEvent('server_delete', (d) => d.id === guild.id, 5_000, from);
    expect(await statesOf(ben, [channel])).toEqual([]);
    await closeAll();
  });
});

describe('unfriending', () => {
  it('ends a ringing call between the two: missed, recorded, and it cannot be answered', async () => {
    await befriend(ann, eve);
    const a = await online(ann);
    const e = await online(eve);
    const callId = await startCall(a, eve.id);
    await e.nextEvent('call_incoming', (d) => d.callId === callId);
    await eve.rest.removeFriend({ userId: ann.id });
    expect(refusal(await e.request('call_accept', { callId })).code).toBe('not_found');
    for (const s of [a, e]) await callReaches(s, callId, 'missed');
    const record = await e.nextEvent('message_create', (d) => d.call !== undefined);
    expect(record.d).toMatchObject({
      author: { id: ann.id },
      content: '',
      call: { outcome: 'missed', durationSeconds: 0 },
    });
    await a.nextEvent('message_create', (d) => d.id === record.d.id);
    await closeAll();
  });

  it('ends an active call between the two: signals stop at once, both hear it ended', async () => {
    await befriend(ann, eve);
    const a = await online(ann);
    const e = await online(eve);
    const callId = await startCall(a, eve.id);
    await acceptCall(e, callId);
    await callReaches(a, callId, 'active');
    expect((await offer(a, eve.id)).ok).toBe(true);
    await ann.rest.removeFriend({ userId: eve.id });
    expect(refusal(await offer(a, eve.id)).code).toBe('forbidden');
    expect(refusal(await offer(e, ann.id)).code).toBe('forbidden');
    for (const s of [a, e]) await callReaches(s, callId, 'ended');
    const record = await a.nextEvent('message_create', (d) => d.call?.outcome === 'ended');
    expect(record.d.author.id).toBe(ann.id);
    // A ready now lists no call.
    const { socket, ready } = await TestSocket.identified(server.wsUrl, eve.token);
    sockets.push(socket);
    expect(ready.calls).toEqual([]);
    await closeAll();
  });
});
