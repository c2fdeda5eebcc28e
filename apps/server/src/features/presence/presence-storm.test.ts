import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { befriend, type Person, people, serverWith } from '../../../test/people.js';
import { startTestServer, type TestServer } from '../../../test/test-server.js';
import { TestSocket } from '../../../test/ws-client.js';

const STORM = 50;

let server: TestServer;
let crowd: Person[];
/** A member of the crowd's server who stays away during the storm: its coming online is the barrier. */
let beacon: Person;
/** Nobody's friend nor co-member: must hear nothing. */
let stranger: Person;

beforeAll(async () => {
  server = await startTestServer();
  const names = Array.from({ length: STORM }, (_, i) => `storm${i}`);
  const made = await people(server.url, [...names, 'beacon', 'stranger'] as const);
  crowd = made.slice(0, STORM);
  beacon = made[STORM] as Person;
  stranger = made[STORM + 1] as Person;
  const [owner, ...rest] = crowd as [Person, ...Person[]];
  await serverWith(owner, 'Storm', [...rest, beacon]);
  // Friends who are co-members too: one announcement each all the same.
  for (let i = 0; i + 1 < STORM; i += 10) await befriend(crowd[i] as Person, crowd[i + 1] as Person);
}, 120_000);
afterAll(() => server.close());

describe('a reconnect storm', () => {
  it('ends with everyone seeing everyone online, each told once (by ready or by one event)', async () => {
    const watching = await TestSocket.identified(server.wsUrl, stranger.token);
    // All at once, as after a restart.
    const sockets = await Promise.all(crowd.map((p) => TestSocket.identified(server.wsUrl, p.token)));

    // The beacon comes online last; announcements go out in order, so once everyone has heard it,
    // every announcement of the storm has been delivered.
    const barrier = await TestSocket.identified(server.wsUrl, beacon.token);
    for (const { socket } of sockets) {
      await socket.nextPresence((d) => d.userId === beacon.id && d.status === 'online', 20_000);
    }

    for (const [i, { socket, ready }] of sockets.entries()) {
      const me = crowd[i] as Person;
      const fromReady = ready.presences.filter((p) => p.status === 'online').map((p) => p.userId);
      const fromEvents = socket
        .presences()
        .filter((d) => d.status === 'online' && d.userId !== beacon.id)
        .map((d) => d.userId);
      const others = crowd.filter((p) => p !== me).map((p) => p.id);
      // Each online announcement once per observer, and never one for what ready already said.
      expect(new Set(fromEvents).size, `${me.username}: an announcement twice`).toBe(fromEvents.length);
      expect(
        fromEvents.filter((id) => fromReady.includes(id)),
        `${me.username}: told by ready and again by an event`,
      ).toEqual([]);
      expect([...fromReady, ...fromEvents].sort()).toEqual([...others].sort());
      expect(socket.presences().filter((d) => d.status === 'offline')).toEqual([]);
    }
    expect(watching.ready.presences).toEqual([]);
    expect(watching.socket.presences()).toEqual([]);

    for (const { socket } of [...sockets, barrier, watching]) socket.close();
  }, 60_000);
});
