import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { joinServer, makeServer, makeUsers, type TestUser } from '../../../test/factories.js';
import { type Api, api } from '../../../test/http.js';
import { startTestServer, type TestServer } from '../../../test/test-server.js';
import { type Frame, TestSocket } from '../../../test/ws-client.js';

const GRACE_MS = 300;

let server: TestServer;
let http: Api;
let ann: TestUser;
let friend: TestUser;
let comember: TestUser;
let stranger: TestUser;

beforeAll(async () => {
  server = await startTestServer({ presence: { offlineGraceMs: GRACE_MS } });
  http = api(server.url);
  [ann, friend, comember, stranger] = await makeUsers(http, ['ann', 'friend', 'comember', 'stranger']);
  const req = await http.post<{ id: string }>(
    '/api/friends/requests',
    { username: 'friend' },
    { token: ann.token },
  );
  await http.post(`/api/friends/requests/${req.body.id}/accept`, undefined, { token: friend.token });
  const guild = await makeServer(http, ann, 'Presence');
  await joinServer(http, guild, ann, [comember]);
});
afterAll(() => server.close());

const statusesOf = (socket: TestSocket, userId: string) =>
  socket
    .events('presence_update')
    .map((f: Frame) => f.d as { userId: string; status: string })
    .filter((d) => d.userId === userId)
    .map((d) => d.status);

type Identified = Awaited<ReturnType<typeof TestSocket.identified>>;

async function watchers(): Promise<[Identified, Identified, Identified]> {
  const open = (u: TestUser) => TestSocket.identified(server.wsUrl, u.token);
  return [await open(friend), await open(comember), await open(stranger)];
}

describe('presence', () => {
  it('goes online with the first socket and offline at once when the last closes cleanly, for friends and co-members only', async () => {
    const [f, c, s] = await watchers();
    const tab1 = await TestSocket.identified(server.wsUrl, ann.token);
    for (const w of [f, c]) {
      expect((await w.socket.next((e) => e.t === 'presence_update')).d).toEqual({
        userId: ann.id,
        status: 'online',
      });
    }
    const tab2 = await TestSocket.identified(server.wsUrl, ann.token);
    tab1.socket.ws.close(1000);
    await new Promise((r) => setTimeout(r, 100));
    expect(statusesOf(f.socket, ann.id)).toEqual(['online']);
    const closedAt = Date.now();
    tab2.socket.ws.close(1000);
    await f.socket.next((e) => e.t === 'presence_update' && (e.d as { status: string }).status === 'offline');
    expect(Date.now() - closedAt).toBeLessThan(GRACE_MS);
    await c.socket.next((e) => e.t === 'presence_update' && (e.d as { status: string }).status === 'offline');
    expect(statusesOf(f.socket, ann.id)).toEqual(['online', 'offline']);
    expect(statusesOf(s.socket, ann.id)).toEqual([]);
    for (const w of [f, c, s]) w.socket.close();
  });

  it('shows who is online in ready', async () => {
    const tab = await TestSocket.identified(server.wsUrl, ann.token);
    const { socket, ready } = await TestSocket.identified(server.wsUrl, friend.token);
    expect(ready.presences).toContainEqual({ userId: ann.id, status: 'online' });
    const strangerView = await TestSocket.identified(server.wsUrl, stranger.token);
    expect(strangerView.ready.presences).toEqual([]);
    tab.socket.ws.close(1000);
    // Let the offline announcement land here, so it cannot leak into the next test.
    await socket.next((e) => e.t === 'presence_update' && (e.d as { status: string }).status === 'offline');
    socket.close();
    strangerView.socket.close();
  });

  it('waits for a resume after a dropped socket, then goes offline', async () => {
    const [f] = await watchers();
    const tab = await TestSocket.identified(server.wsUrl, ann.token);
    await f.socket.next((e) => e.t === 'presence_update' && (e.d as { status: string }).status === 'online');
    // Dropped and resumed within the grace: nobody sees a flicker.
    tab.socket.ws.terminate();
    await new Promise((r) => setTimeout(r, 50));
    const back = await TestSocket.open(server.wsUrl);
    back.send({ op: 'resume', d: { token: ann.token, sessionId: tab.ready.sessionId, seq: 0 } });
    await back.next((e) => e.op === 'resumed');
    await new Promise((r) => setTimeout(r, GRACE_MS + 200));
    expect(statusesOf(f.socket, ann.id)).toEqual(['online']);
    // Dropped for good: offline after the grace.
    back.ws.terminate();
    await f.socket.next(
      (e) => e.t === 'presence_update' && (e.d as { status: string }).status === 'offline',
      5_000,
    );
    expect(statusesOf(f.socket, ann.id)).toEqual(['online', 'offline']);
    f.socket.close();
  });

  it('is introduced at once when people become friends or co-members', async () => {
    const [x, y, z] = await makeUsers(http, ['xena', 'yuri', 'zoe'], ann);
    const xs = await TestSocket.identified(server.wsUrl, x.token);
    const ys = await TestSocket.identified(server.wsUrl, y.token);
    const zs = await TestSocket.identified(server.wsUrl, z.token);
    // Strangers so far: nobody has heard anybody.
    expect(xs.socket.events('presence_update')).toHaveLength(0);
    const req = await http.post<{ id: string }>(
      '/api/friends/requests',
      { username: 'yuri' },
      { token: x.token },
    );
    await http.post(`/api/friends/requests/${req.body.id}/accept`, undefined, { token: y.token });
    await xs.socket.next((e) => e.t === 'presence_update' && (e.d as { userId: string }).userId === y.id);
    await ys.socket.next((e) => e.t === 'presence_update' && (e.d as { userId: string }).userId === x.id);
    // Zoe joins a server of Xena's: each learns the other is online.
    const guild = await makeServer(http, x, 'Intro');
    await joinServer(http, guild, x, [z]);
    await zs.socket.next((e) => e.t === 'presence_update' && (e.d as { userId: string }).userId === x.id);
    await xs.socket.next((e) => e.t === 'presence_update' && (e.d as { userId: string }).userId === z.id);
    expect(statusesOf(zs.socket, z.id)).toEqual([]);
    for (const s of [xs, ys, zs]) s.socket.close();
  });
});
