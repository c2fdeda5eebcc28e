import type { Presence } from '@decentra/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../test/manual-clock.js';
import { befriend, type Person, people, serverWith } from '../../../test/people.js';
import { startTestServer, type TestServer } from '../../../test/test-server.js';
import { TestSocket } from '../../../test/ws-client.js';
import type { SessionsChangedReason } from '../../kernel/sessions.js';

/** The grace runs on this clock: it passes only when a test moves it. */
const clock = new ManualClock();
const GRACE_MS = 5_000;

let server: TestServer;
let ann: Person;
let friend: Person;
let comember: Person;
let stranger: Person;
/** Friends with friend, comember and stranger (never with ann): its comings and goings are the barrier. */
let beacon: Person;

beforeAll(async () => {
  server = await startTestServer({ clock, presence: { offlineGraceMs: GRACE_MS } });
  [ann, friend, comember, stranger, beacon] = await people(server.url, [
    'ann',
    'friend',
    'comember',
    'stranger',
    'beacon',
  ]);
  await befriend(ann, friend);
  await serverWith(ann, 'Presence', [comember]);
  for (const watcher of [friend, comember, stranger]) await befriend(beacon, watcher);
});
afterAll(() => server.close());

const statusesOf = (socket: TestSocket, user: Person) =>
  socket
    .presences()
    .filter((d) => d.userId === user.id)
    .map((d) => d.status);

const heard = (socket: TestSocket, user: Person, status: Presence['status'], from: number) =>
  socket.nextPresence((p) => p.userId === user.id && p.status === status, 5_000, from);

/**
 * Every presence change the server has already decided has reached `watchers`. Announcements
 * go out one after another, so the beacon's coming online, decided after, arrives after them;
 * it then leaves cleanly, and is offline again once the watchers have heard so.
 */
async function presenceBarrier(...watchers: TestSocket[]): Promise<void> {
  const from = watchers.map((w) => w.frames.length);
  const { socket } = await TestSocket.identified(server.wsUrl, beacon.token);
  await Promise.all(watchers.map((w, i) => heard(w, beacon, 'online', from[i] ?? 0)));
  socket.ws.close(1000);
  await Promise.all(watchers.map((w, i) => heard(w, beacon, 'offline', from[i] ?? 0)));
}

/**
 * Resolves once the gateway has told its watchers of the next `reason` change of `user`'s
 * sessions (presence's watcher, registered first, has seen it by then).
 */
function sessionChange(user: Person, reason: SessionsChangedReason): Promise<void> {
  return new Promise((resolve) => {
    const stop = server.app.gateway.watchSessions((change) => {
      if (change.userId !== BigInt(user.id) || change.reason !== reason) return;
      stop();
      resolve();
    });
  });
}

type Identified = Awaited<ReturnType<typeof TestSocket.identified>>;

async function watchers(): Promise<[Identified, Identified, Identified]> {
  const open = (u: Person) => TestSocket.identified(server.wsUrl, u.token);
  return [await open(friend), await open(comember), await open(stranger)];
}

/** Ann online on one socket, as `watcher` has heard. */
async function annOnline(watcher: TestSocket): Promise<Identified> {
  const tab = await TestSocket.identified(server.wsUrl, ann.token);
  await watcher.nextPresence((d) => d.userId === ann.id && d.status === 'online');
  return tab;
}

describe('presence', () => {
  it('goes online with the first socket, for friends and co-members only', async () => {
    const [f, c, s] = await watchers();
    const tab = await TestSocket.identified(server.wsUrl, ann.token);
    for (const w of [f, c]) {
      expect(await w.socket.nextPresence((d) => d.userId === ann.id)).toEqual({
        userId: ann.id,
        status: 'online',
      });
    }
    const closed = sessionChange(ann, 'closed');
    tab.socket.ws.close(1000);
    await closed;
    await presenceBarrier(f.socket, s.socket);
    expect(statusesOf(f.socket, ann)).toEqual(['online', 'offline']);
    expect(statusesOf(s.socket, ann)).toEqual([]);
    for (const w of [f, c, s]) w.socket.close();
  });

  it('stays online while another socket is open, and goes offline at once when the last closes cleanly', async () => {
    const [f, c, s] = await watchers();
    const tab1 = await annOnline(f.socket);
    const tab2 = await TestSocket.identified(server.wsUrl, ann.token);
    const firstClosed = sessionChange(ann, 'closed');
    tab1.socket.ws.close(1000);
    await firstClosed;
    await presenceBarrier(f.socket);
    expect(statusesOf(f.socket, ann)).toEqual(['online']);
    // The clock stands still: an offline that arrives now came at once, not after a grace.
    tab2.socket.ws.close(1000);
    for (const w of [f, c]) {
      await w.socket.nextPresence((d) => d.userId === ann.id && d.status === 'offline');
    }
    await presenceBarrier(f.socket, c.socket, s.socket);
    expect(statusesOf(f.socket, ann)).toEqual(['online', 'offline']);
    expect(statusesOf(c.socket, ann)).toEqual(['online', 'offline']);
    expect(statusesOf(s.socket, ann)).toEqual([]);
    for (const w of [f, c, s]) w.socket.close();
  });

  it('shows who is online in ready', async () => {
    // Once a co-member has been told, her coming online is decided: a ready built now lists it
    // (one built before could not, and would leave it to the event).
    const watching = await TestSocket.identified(server.wsUrl, comember.token);
    const tab = await annOnline(watching.socket);
    watching.socket.close();
    const { socket, ready } = await TestSocket.identified(server.wsUrl, friend.token);
    expect(ready.presences).toContainEqual({ userId: ann.id, status: 'online' });
    const strangerView = await TestSocket.identified(server.wsUrl, stranger.token);
    expect(strangerView.ready.presences).toEqual([]);
    tab.socket.ws.close(1000);
    // Let the offline announcement land here, so it cannot leak into the next test.
    await socket.nextPresence((d) => d.userId === ann.id && d.status === 'offline');
    socket.close();
    strangerView.socket.close();
  });

  it('does not flicker when a dropped socket resumes within the grace', async () => {
    const [f, c, s] = await watchers();
    const tab = await annOnline(f.socket);
    const dropped = sessionChange(ann, 'detached');
    tab.socket.ws.terminate();
    await dropped;
    clock.advance(GRACE_MS - 1);
    const back = await TestSocket.open(server.wsUrl);
    back.send({ op: 'resume', d: { token: ann.token, sessionId: tab.ready.sessionId, seq: 0 } });
    await back.next((e) => e.op === 'resumed');
    // Well past the moment the grace would have ended: had it not been called off, it ran.
    clock.advance(GRACE_MS);
    await presenceBarrier(f.socket);
    expect(statusesOf(f.socket, ann)).toEqual(['online']);
    back.ws.close(1000);
    await f.socket.nextPresence((d) => d.userId === ann.id && d.status === 'offline');
    for (const w of [f, c, s]) w.socket.close();
  });

  it('goes offline when a dropped socket stays away for the grace, not before', async () => {
    const [f, c, s] = await watchers();
    const tab = await annOnline(f.socket);
    const dropped = sessionChange(ann, 'detached');
    tab.socket.ws.terminate();
    await dropped;
    clock.advance(GRACE_MS - 1);
    await presenceBarrier(f.socket);
    expect(statusesOf(f.socket, ann)).toEqual(['online']);
    clock.advance(1);
    await f.socket.nextPresence((d) => d.userId === ann.id && d.status === 'offline');
    expect(statusesOf(f.socket, ann)).toEqual(['online', 'offline']);
    for (const w of [f, c, s]) w.socket.close();
  });

  it('is introduced at once when people become friends or co-members', async () => {
    const [x, y, z] = await people(server.url, ['xena', 'yuri', 'zoe'], ann);
    const xs = await TestSocket.identified(server.wsUrl, x.token);
    const ys = await TestSocket.identified(server.wsUrl, y.token);
    const zs = await TestSocket.identified(server.wsUrl, z.token);
    // Their coming online is announced (to nobody: strangers so far) before they meet; announced
    // after, it would reach the new friend too, as well as the introduction.
    const f = await TestSocket.identified(server.wsUrl, friend.token);
    await presenceBarrier(f.socket);
    f.socket.close();
    await befriend(x, y);
    await xs.socket.nextPresence((d) => d.userId === y.id);
    await ys.socket.nextPresence((d) => d.userId === x.id);
    // Zoe joins a server of Xena's: each learns the other is online.
    await serverWith(x, 'Intro', [z]);
    // Sent right after Zoe's own online to the server's members (not to her): it is the later.
    await zs.socket.nextPresence((d) => d.userId === x.id);
    await xs.socket.nextPresence((d) => d.userId === z.id);
    expect(zs.socket.presences()).toEqual([{ userId: x.id, status: 'online' }]);
    // Yuri leaves: an announcement, which goes out after any the three's coming online made. So
    // once Xena hears it, she has heard all she ever will of them: as strangers, nothing.
    ys.socket.ws.close(1000);
    await xs.socket.nextPresence((d) => d.userId === y.id && d.status === 'offline');
    expect(xs.socket.presences()).toEqual([
      { userId: y.id, status: 'online' },
      { userId: z.id, status: 'online' },
      { userId: y.id, status: 'offline' },
    ]);
    for (const s of [xs, zs]) s.socket.close();
  });
});
