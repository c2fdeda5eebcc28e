import type { Server, ServerInvite } from '@decentra/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../../../test/http.js';
import { ManualClock } from '../../../test/manual-clock.js';
import {
  PASSWORD,
  type Person,
  people,
  refused,
  restClient,
  serverWith,
  textChannelOf,
} from '../../../test/people.js';
import { startTestServer, type TestServer } from '../../../test/test-server.js';
import { TestSocket } from '../../../test/ws-client.js';

/** Invite expiry is judged by the app's clock: this one moves only when a test says so. */
const clock = new ManualClock();
const DAY_MS = 86_400_000;
const isoIn = (ms: number) => new Date(clock.now() + ms).toISOString();

let server: TestServer;
let owner: Person;
let ann: Person;
let ben: Person;
let cat: Person;
let dan: Person;

beforeAll(async () => {
  server = await startTestServer({ clock });
  [owner, ann, ben, cat, dan] = await people(server.url, ['owner', 'ann', 'ben', 'cat', 'dan']);
});
afterAll(() => server.close());

describe('creating a server', () => {
  it('makes the creator owner, with #general and a voice channel General, and tells their sockets', async () => {
    const { socket } = await TestSocket.identified(server.wsUrl, owner.token);
    const created = await owner.rest.createServer({ name: '  Book club  ' });
    expect(created).toMatchObject({
      name: 'Book club',
      ownerId: owner.id,
      myPermissions: {
        createChannel: true,
        editChannel: true,
        deleteChannel: true,
        mentionEveryone: true,
        pinMessages: true,
      },
    });
    expect(created.channels.map((c) => [c.type, c.name, c.serverId])).toEqual([
      ['text', 'general', created.id],
      ['voice', 'General', created.id],
    ]);
    expect((await socket.nextEvent('server_create')).d).toEqual(created);
    socket.close();
  });

  it('refuses empty and over-long names', async () => {
    for (const name of ['', '   ', 'x'.repeat(101)]) {
      const err = await refused(owner.rest.createServer({ name }));
      expect(err.status).toBe(400);
      expect(err.code).toBe('invalid_input');
    }
  });

  it('lists my servers and gets one; others cannot see it', async () => {
    const s = await ann.rest.createServer({ name: 'Ann only' });
    expect((await ann.rest.listServers()).map((x) => x.id)).toContain(s.id);
    expect((await ann.rest.getServer({ serverId: s.id })).name).toBe('Ann only');
    expect((await refused(ben.rest.getServer({ serverId: s.id }))).status).toBe(404);
    expect((await ben.rest.listServers()).map((x) => x.id)).not.toContain(s.id);
  });

  it('is in ready, and a fresh socket receives its events', async () => {
    const s = await cat.rest.createServer({ name: 'Cat corner' });
    const { socket, ready } = await TestSocket.identified(server.wsUrl, cat.token);
    expect((ready.servers as Server[]).map((x) => x.id)).toContain(s.id);
    await cat.rest.renameServer({ serverId: s.id, name: 'Cat lounge' });
    expect((await socket.nextEvent('server_update')).d).toEqual({
      id: s.id,
      name: 'Cat lounge',
      ownerId: cat.id,
    });
    socket.close();
  });
});

describe('owner settings', () => {
  it('a member can neither rename nor delete the server, which stays as it was', async () => {
    const s = await serverWith(owner, 'Guarded', [ann]);
    expect((await refused(ann.rest.renameServer({ serverId: s.id, name: 'Nope' }))).status).toBe(403);
    expect((await refused(ann.rest.deleteServer({ serverId: s.id }))).status).toBe(403);
    expect((await owner.rest.getServer({ serverId: s.id })).name).toBe('Guarded');
  });

  it('the owner renames it, and members hear server_update', async () => {
    const s = await serverWith(owner, 'Renamable', [ann]);
    const { socket } = await TestSocket.identified(server.wsUrl, ann.token);
    const renamed = await owner.rest.renameServer({ serverId: s.id, name: 'Renamed' });
    expect(renamed.name).toBe('Renamed');
    expect((await socket.nextEvent('server_update')).d).toEqual({
      id: s.id,
      name: 'Renamed',
      ownerId: owner.id,
    });
    socket.close();
  });

  it('the owner deletes it; members hear server_delete, and it is gone with its channels', async () => {
    const s = await serverWith(owner, 'Doomed', [ann]);
    const { socket } = await TestSocket.identified(server.wsUrl, ann.token);
    await owner.rest.deleteServer({ serverId: s.id });
    expect((await socket.nextEvent('server_delete')).d).toEqual({ id: s.id });
    expect((await refused(owner.rest.getServer({ serverId: s.id }))).status).toBe(404);
    expect((await refused(ann.rest.listMessages({ channelId: textChannelOf(s) }))).status).toBe(404);
    socket.close();
  });
});

describe('a server invite, by default', () => {
  let s: Server;
  let invite: ServerInvite;
  let joined: Server;
  let ownerSocket: TestSocket;
  let benSocket: TestSocket;

  beforeAll(async () => {
    s = await owner.rest.createServer({ name: 'Invites' });
    ownerSocket = (await TestSocket.identified(server.wsUrl, owner.token)).socket;
    benSocket = (await TestSocket.identified(server.wsUrl, ben.token)).socket;
  });
  afterAll(() => {
    ownerSocket.close();
    benSocket.close();
  });

  it('is single-use and never expires', async () => {
    invite = await owner.rest.createServerInvite({ serverId: s.id });
    expect(invite).toMatchObject({ serverId: s.id, maxUses: 1, uses: 0, expiresAt: null });
  });

  it('lets its holder join with no channel permissions; the joiner hears server_create', async () => {
    joined = await ben.rest.joinServer({ inviteCode: invite.code });
    expect(joined.id).toBe(s.id);
    expect(joined.myPermissions).toEqual({
      createChannel: false,
      editChannel: false,
      deleteChannel: false,
      mentionEveryone: false,
      pinMessages: false,
    });
    expect((await benSocket.nextEvent('server_create')).d.id).toBe(s.id);
  });

  it('tells the members with member_join', async () => {
    expect((await ownerSocket.nextEvent('member_join')).d).toEqual({
      serverId: s.id,
      member: { user: { id: ben.id, username: 'ben' }, isOwner: false, permissions: joined.myPermissions },
    });
  });

  it("puts the joiner's open sockets on the server's events", async () => {
    await owner.rest.renameServer({ serverId: s.id, name: 'Invites 2' });
    expect((await benSocket.nextEvent('server_update')).d).toMatchObject({ id: s.id, name: 'Invites 2' });
  });

  it('is refused once used (reason used)', async () => {
    const again = await refused(cat.rest.joinServer({ inviteCode: invite.code }));
    expect(again.status).toBe(403);
    expect(again.reason).toBe('used');
  });
});

describe('server invites', () => {
  it('take no body at all as an empty one', async () => {
    // A request without any body: the SDK always sends one, so this goes raw.
    const s = await owner.rest.createServer({ name: 'No body' });
    const res = await api(server.url).post<ServerInvite>(`/api/servers/${s.id}/invites`, undefined, {
      token: owner.token,
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ serverId: s.id, maxUses: 1, uses: 0, expiresAt: null });
  });

  it('only the owner makes them', async () => {
    const s = await serverWith(owner, 'Owner invites', [ann]);
    expect((await refused(ann.rest.createServerInvite({ serverId: s.id }))).status).toBe(403);
    expect((await refused(dan.rest.createServerInvite({ serverId: s.id }))).status).toBe(404);
  });

  it('never admit more than maxUses, however many join at once', async () => {
    const s = await owner.rest.createServer({ name: 'Crowd' });
    const { code } = await owner.rest.createServerInvite({ serverId: s.id, maxUses: 2 });
    const crowd = await people(
      server.url,
      Array.from({ length: 8 }, (_, i) => `crowd${i}`),
      owner,
    );
    const results = await Promise.allSettled(crowd.map((u) => u.rest.joinServer({ inviteCode: code })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
    const refusals = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
    expect(refusals.map((e) => [e.status, e.reason])).toEqual(Array.from({ length: 6 }, () => [403, 'used']));
    expect(await owner.rest.listMembers({ serverId: s.id })).toHaveLength(3);
  });

  it('take expiresAt in the future, at most 7 days ahead, and maxUses up to 100', async () => {
    const s = await owner.rest.createServer({ name: 'Terms' });
    for (const terms of [
      { expiresAt: isoIn(-1000) },
      { expiresAt: isoIn(7 * DAY_MS + 1000) },
      { maxUses: 101 },
    ]) {
      const err = await refused(owner.rest.createServerInvite({ serverId: s.id, ...terms }));
      expect(err.status, JSON.stringify(terms)).toBe(400);
    }
    const longest = isoIn(7 * DAY_MS);
    expect(
      await owner.rest.createServerInvite({ serverId: s.id, expiresAt: longest, maxUses: 100 }),
    ).toMatchObject({ expiresAt: longest, maxUses: 100 });
  });

  it('admit until expiresAt, and refuse from then on (reason expired)', async () => {
    const s = await owner.rest.createServer({ name: 'Expiring' });
    const expiresAt = isoIn(1_000);
    const invite = await owner.rest.createServerInvite({ serverId: s.id, expiresAt, maxUses: 5 });
    expect(invite.expiresAt).toBe(expiresAt);
    clock.advance(999);
    expect((await ann.rest.joinServer({ inviteCode: invite.code })).id).toBe(s.id);
    clock.advance(1);
    const late = await refused(dan.rest.joinServer({ inviteCode: invite.code }));
    expect(late.status).toBe(403);
    expect(late.reason).toBe('expired');
  });

  it('refuse members, signup codes and unknown codes without spending a use', async () => {
    const s = await serverWith(owner, 'Careful', [ann]);
    const invite = await owner.rest.createServerInvite({ serverId: s.id });
    const member = await refused(ann.rest.joinServer({ inviteCode: invite.code }));
    expect([member.status, member.code]).toEqual([409, 'conflict']);
    // Single use, and still unspent: the next person gets in.
    expect((await cat.rest.joinServer({ inviteCode: invite.code })).id).toBe(s.id);

    const signupCode = (await owner.rest.createInvite()).code;
    const wrongKind = await refused(dan.rest.joinServer({ inviteCode: signupCode }));
    expect(wrongKind.status).toBe(403);
    expect(wrongKind.reason).toBe('not_server_invite');
    const unknown = await refused(dan.rest.joinServer({ inviteCode: 'nope' }));
    expect(unknown.status).toBe(403);
    expect(unknown.reason).toBe('unknown_code');
    // The signup code was not spent either: it still signs someone up.
    const { user } = await restClient(server.url).signup({
      username: 'careful-newcomer',
      password: PASSWORD,
      inviteCode: signupCode,
    });
    expect(user.username).toBe('careful-newcomer');
  });

  it('also work at signup: the new account joins the server', async () => {
    const s = await owner.rest.createServer({ name: 'Signup joins' });
    const invite = await owner.rest.createServerInvite({ serverId: s.id });
    const { socket } = await TestSocket.identified(server.wsUrl, owner.token);
    const newcomer = restClient(server.url);
    const { user } = await newcomer.signup({
      username: 'viaserver',
      password: PASSWORD,
      inviteCode: invite.code,
    });
    expect((await newcomer.listServers()).map((x) => x.id)).toEqual([s.id]);
    const join = await socket.nextEvent('member_join', (d) => d.serverId === s.id);
    expect(join.d.member.user.id).toBe(user.id);
    socket.close();
  });
});
