import { randomUUID } from 'node:crypto';
import type { Presence } from '@decentra/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../test/manual-clock.js';
import { befriend, type Person, people } from '../../../test/people.js';
import { createTestDatabase, ENGINE, type TestDatabase } from '../../../test/test-db.js';
import { startTestServer, type TestServer } from '../../../test/test-server.js';
import { TestSocket } from '../../../test/ws-client.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const GRACE_MS = 25_000;
const HEARTBEAT_MS = 5_000;

/**
 * Presence over three instances sharing PostgreSQL and Redis (postgres project only: PGlite
 * cannot be shared). Each instance beats on its own clock, moved by hand: an instance whose clock
 * stands still has stopped beating, as a killed one would.
 */
describe.runIf(ENGINE === 'postgres')('presence across instances', () => {
  // Made together, so the three start at the same time.
  const clocks = { a: new ManualClock(), b: new ManualClock(), c: new ManualClock() };
  const start = clocks.b.now();
  let db: TestDatabase;
  let a: TestServer;
  let b: TestServer;
  let c: TestServer;
  let watcher: Person;
  let alice: Person;
  let bob: Person;
  let beacon: Person;

  beforeAll(async () => {
    db = await createTestDatabase();
    const redisPrefix = `test:${randomUUID()}:`;
    const options = (clock: ManualClock) => ({
      db,
      clock,
      redisPrefix,
      config: { redisUrl: REDIS_URL },
      presence: { offlineGraceMs: GRACE_MS, heartbeatMs: HEARTBEAT_MS },
    });
    a = await startTestServer(options(clocks.a));
    b = await startTestServer(options(clocks.b));
    c = await startTestServer(options(clocks.c));
    [watcher, alice, bob, beacon] = await people(b.url, ['watcher', 'alice', 'bob', 'beacon']);
    for (const friend of [alice, bob, beacon]) await befriend(watcher, friend);
  });
  afterAll(async () => {
    await c?.close({ keepData: true });
    await b?.close({ keepData: true });
    await a?.close({ keepData: true }).catch(() => {});
    await db?.drop();
  });

  const statusesOf = (socket: TestSocket, user: Person) =>
    socket
      .presences()
      .filter((d) => d.userId === user.id)
      .map((d) => d.status);

  const heard = (socket: TestSocket, user: Person, status: Presence['status'], from = 0) =>
    socket.nextPresence((d) => d.userId === user.id && d.status === status, 5_000, from);

  /** Every presence change `on` has already decided has reached `socket` (its announcements are serial). */
  async function barrier(on: TestServer, socket: TestSocket): Promise<void> {
    const from = socket.frames.length;
    const tab = await TestSocket.identified(on.wsUrl, beacon.token);
    await heard(socket, beacon, 'online', from);
    tab.socket.ws.close(1000);
    await heard(socket, beacon, 'offline', from);
  }

  /** One heartbeat on each living instance, each done (its reaping queued) before the next. */
  async function beat(...servers: [TestServer, ManualClock][]): Promise<void> {
    for (const [server, clock] of servers) {
      clock.advance(HEARTBEAT_MS);
      await server.app.instances?.settled();
    }
  }

  it('keeps a user online while any instance holds them; a dead instance’s users go offline once, after the grace', async () => {
    const { socket: watching } = await TestSocket.identified(c.wsUrl, watcher.token);
    await TestSocket.identified(a.wsUrl, alice.token);
    await heard(watching, alice, 'online');
    const aliceOnB = await TestSocket.identified(b.wsUrl, alice.token);
    await TestSocket.identified(a.wsUrl, bob.token);
    await heard(watching, bob, 'online');

    // A stops beating (and its sockets go): nothing of it is cleaned up in Redis.
    await a.close({ keepData: true });

    let wentOfflineAfter: number | undefined;
    for (let step = 0; step < 10 && wentOfflineAfter === undefined; step++) {
      await beat([b, clocks.b], [c, clocks.c]);
      await barrier(b, watching);
      await barrier(c, watching);
      if (statusesOf(watching, bob).includes('offline')) wentOfflineAfter = clocks.b.now() - start;
    }
    expect(wentOfflineAfter).toBeGreaterThan(GRACE_MS);
    expect(wentOfflineAfter).toBeLessThanOrEqual(GRACE_MS + 2 * HEARTBEAT_MS);

    // Both living instances reap on every beat: one more of each, then both have said all they would.
    await beat([b, clocks.b], [c, clocks.c]);
    await barrier(b, watching);
    await barrier(c, watching);
    expect(statusesOf(watching, bob)).toEqual(['online', 'offline']);
    expect(statusesOf(watching, alice)).toEqual(['online']);

    // Her last socket, on B, closes cleanly: offline at once, announced by B.
    aliceOnB.socket.ws.close(1000);
    await heard(watching, alice, 'offline');
    expect(statusesOf(watching, alice)).toEqual(['online', 'offline']);
  });

  it('shows who is online on any instance in ready', async () => {
    const bobOnB = await TestSocket.identified(b.wsUrl, bob.token);
    const { socket: watching } = await TestSocket.identified(c.wsUrl, watcher.token);
    await barrier(b, watching);
    const late = await TestSocket.identified(c.wsUrl, watcher.token);
    expect(late.ready.presences).toEqual([{ userId: bob.id, status: 'online' }]);
    bobOnB.socket.ws.close(1000);
    await heard(watching, bob, 'offline');
  });

  it('takes its users back when an instance counted dead (only stalled) beats again', async () => {
    const { socket: watching } = await TestSocket.identified(c.wsUrl, watcher.token);
    const bobOnB = await TestSocket.identified(b.wsUrl, bob.token);
    await heard(watching, bob, 'online');
    // B's clock stands still (it stalls) while C's runs past the grace: C reaps B.
    const from = watching.frames.length;
    for (let i = 0; i <= GRACE_MS / HEARTBEAT_MS + 1; i++) await beat([c, clocks.c]);
    await heard(watching, bob, 'offline', from);
    // B wakes: its first beat finds itself gone from the instances, and holds bob again.
    clocks.b.advance((GRACE_MS / HEARTBEAT_MS + 2) * HEARTBEAT_MS);
    await b.app.instances?.settled();
    await heard(watching, bob, 'online', from);
    await beat([b, clocks.b]);
    bobOnB.socket.ws.close(1000);
    await heard(watching, bob, 'offline', watching.frames.length - 1);
    await barrier(b, watching);
    expect(statusesOf(watching, bob)).toEqual(['online', 'offline', 'online', 'offline']);
  });

  it('refuses at once to resume a session whose holder stopped beating: the client starts afresh', async () => {
    const { socket, ready } = await TestSocket.identified(c.wsUrl, alice.token);
    c.app.instances?.stop();
    for (let i = 0; i < 4; i++) await beat([b, clocks.b]);
    socket.ws.terminate();
    const again = await TestSocket.open(b.wsUrl);
    again.send({ op: 'resume', d: { token: alice.token, sessionId: ready.sessionId, seq: 0 } });
    // The claim's timeout runs on B's clock, which stands still here: only the liveness check answers.
    const answer = await again.next((f) => f.op === 'resumed' || f.op === 'invalid_session');
    expect(answer.op).toBe('invalid_session');
    again.close();
  });
});
