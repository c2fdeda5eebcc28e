import type { Server, ServerInvite } from '@decentra/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { joinServer, makeServer, makeUsers, type TestUser } from '../../../test/factories.js';
import { type Api, api } from '../../../test/http.js';
import { startTestServer, type TestServer } from '../../../test/test-server.js';
import { TestSocket } from '../../../test/ws-client.js';

interface ErrorResponse {
  error: { code: string; message: string; details?: { reason?: string } };
}

let server: TestServer;
let http: Api;
let owner: TestUser;
let ann: TestUser;
let ben: TestUser;
let cat: TestUser;
let dan: TestUser;

beforeAll(async () => {
  server = await startTestServer();
  http = api(server.url);
  [owner, ann, ben, cat, dan] = await makeUsers(http, ['owner', 'ann', 'ben', 'cat', 'dan']);
});
afterAll(() => server.close());

describe('creating a server', () => {
  it('makes the creator owner, with #general and a voice channel General, and tells their sockets', async () => {
    const { socket } = await TestSocket.identified(server.wsUrl, owner.token);
    const created = await makeServer(http, owner, '  Book club  ');
    expect(created).toMatchObject({
      name: 'Book club',
      ownerId: owner.id,
      myPermissions: { createChannel: true, editChannel: true, deleteChannel: true },
    });
    expect(created.channels.map((c) => [c.type, c.name, c.serverId])).toEqual([
      ['text', 'general', created.id],
      ['voice', 'General', created.id],
    ]);
    const event = await socket.next((f) => f.op === 'event' && f.t === 'server_create');
    expect(event.d).toEqual(created);
    socket.close();
  });

  it('refuses empty and over-long names', async () => {
    for (const name of ['', '   ', 'x'.repeat(101)]) {
      const res = await http.post<ErrorResponse>('/api/servers', { name }, { token: owner.token });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('invalid_input');
    }
  });

  it('lists my servers and gets one; others cannot see it', async () => {
    const s = await makeServer(http, ann, 'Ann only');
    const mine = await http.get<Server[]>('/api/servers', { token: ann.token });
    expect(mine.body.map((x) => x.id)).toContain(s.id);
    expect((await http.get<Server>(`/api/servers/${s.id}`, { token: ann.token })).body.name).toBe('Ann only');
    const other = await http.get<ErrorResponse>(`/api/servers/${s.id}`, { token: ben.token });
    expect(other.status).toBe(404);
    expect(
      (await http.get<Server[]>('/api/servers', { token: ben.token })).body.map((x) => x.id),
    ).not.toContain(s.id);
  });

  it('is in ready, and a fresh socket receives its events', async () => {
    const s = await makeServer(http, cat, 'Cat corner');
    const { socket, ready } = await TestSocket.identified(server.wsUrl, cat.token);
    expect((ready.servers as Server[]).map((x) => x.id)).toContain(s.id);
    await http.patch(`/api/servers/${s.id}`, { name: 'Cat lounge' }, { token: cat.token });
    const update = await socket.next((f) => f.t === 'server_update');
    expect(update.d).toEqual({ id: s.id, name: 'Cat lounge', ownerId: cat.id });
    socket.close();
  });
});

describe('owner settings', () => {
  it('rename and delete are the owner’s; members hear about both', async () => {
    const s = await makeServer(http, owner, 'Renamable');
    await joinServer(http, s, owner, [ann]);
    const { socket } = await TestSocket.identified(server.wsUrl, ann.token);
    expect((await http.patch(`/api/servers/${s.id}`, { name: 'Nope' }, { token: ann.token })).status).toBe(
      403,
    );
    expect((await http.delete(`/api/servers/${s.id}`, { token: ann.token })).status).toBe(403);
    const renamed = await http.patch<Server>(
      `/api/servers/${s.id}`,
      { name: 'Renamed' },
      { token: owner.token },
    );
    expect(renamed.body.name).toBe('Renamed');
    await socket.next((f) => f.t === 'server_update');
    expect((await http.delete(`/api/servers/${s.id}`, { token: owner.token })).status).toBe(204);
    const gone = await socket.next((f) => f.t === 'server_delete');
    expect(gone.d).toEqual({ id: s.id });
    expect((await http.get(`/api/servers/${s.id}`, { token: owner.token })).status).toBe(404);
    expect((await http.get(`/api/channels/${s.channels[0]?.id}/messages`, { token: ann.token })).status).toBe(
      404,
    );
    socket.close();
  });
});

describe('server invites', () => {
  it('are single-use by default; joining tells the joiner and the members', async () => {
    const s = await makeServer(http, owner, 'Invites');
    const { socket: ownerSocket } = await TestSocket.identified(server.wsUrl, owner.token);
    const { socket: benSocket } = await TestSocket.identified(server.wsUrl, ben.token);
    const invite = await http.post<ServerInvite>(`/api/servers/${s.id}/invites`, undefined, {
      token: owner.token,
    });
    expect(invite.status).toBe(201);
    expect(invite.body).toMatchObject({ serverId: s.id, maxUses: 1, uses: 0, expiresAt: null });
    const joined = await http.post<Server>(
      '/api/servers/join',
      { inviteCode: invite.body.code },
      { token: ben.token },
    );
    expect(joined.status).toBe(200);
    expect(joined.body.myPermissions).toEqual({
      createChannel: false,
      editChannel: false,
      deleteChannel: false,
    });
    const created = await benSocket.next((f) => f.t === 'server_create');
    expect((created.d as Server).id).toBe(s.id);
    const join = await ownerSocket.next((f) => f.t === 'member_join');
    expect(join.d).toEqual({
      serverId: s.id,
      member: {
        user: { id: ben.id, username: 'ben' },
        isOwner: false,
        permissions: joined.body.myPermissions,
      },
    });
    // Ben's socket now follows the server.
    await http.patch(`/api/servers/${s.id}`, { name: 'Invites 2' }, { token: owner.token });
    await benSocket.next((f) => f.t === 'server_update');
    const again = await http.post<ErrorResponse>(
      '/api/servers/join',
      { inviteCode: invite.body.code },
      { token: cat.token },
    );
    expect(again.status).toBe(403);
    expect(again.body.error.details?.reason).toBe('used');
    ownerSocket.close();
    benSocket.close();
  });

  it('only the owner makes them', async () => {
    const s = await makeServer(http, owner, 'Owner invites');
    await joinServer(http, s, owner, [ann]);
    expect((await http.post(`/api/servers/${s.id}/invites`, {}, { token: ann.token })).status).toBe(403);
    expect((await http.post(`/api/servers/${s.id}/invites`, {}, { token: dan.token })).status).toBe(404);
  });

  it('never admit more than maxUses, however many join at once', async () => {
    const s = await makeServer(http, owner, 'Crowd');
    const code = (
      await http.post<ServerInvite>(`/api/servers/${s.id}/invites`, { maxUses: 2 }, { token: owner.token })
    ).body.code;
    const crowd = await makeUsers(
      http,
      Array.from({ length: 8 }, (_, i) => `crowd${i}`),
      owner,
    );
    const results = await Promise.all(
      crowd.map((u) => http.post('/api/servers/join', { inviteCode: code }, { token: u.token })),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(2);
    expect(results.filter((r) => r.status === 403)).toHaveLength(6);
    const members = await http.get<unknown[]>(`/api/servers/${s.id}/members`, { token: owner.token });
    expect(members.body).toHaveLength(3);
  });

  it('take expiresAt up to 7 days ahead, and refuse once expired', async () => {
    const s = await makeServer(http, owner, 'Expiring');
    const past = new Date(Date.now() - 1000).toISOString();
    const far = new Date(Date.now() + 8 * 86_400_000).toISOString();
    expect(
      (await http.post(`/api/servers/${s.id}/invites`, { expiresAt: past }, { token: owner.token })).status,
    ).toBe(400);
    expect(
      (await http.post(`/api/servers/${s.id}/invites`, { expiresAt: far }, { token: owner.token })).status,
    ).toBe(400);
    expect(
      (await http.post(`/api/servers/${s.id}/invites`, { maxUses: 101 }, { token: owner.token })).status,
    ).toBe(400);
    const soon = new Date(Date.now() + 400).toISOString();
    const invite = await http.post<ServerInvite>(
      `/api/servers/${s.id}/invites`,
      { expiresAt: soon, maxUses: 5 },
      { token: owner.token },
    );
    expect(invite.status).toBe(201);
    expect(invite.body.expiresAt).toBe(soon);
    await new Promise((r) => setTimeout(r, 600));
    const late = await http.post<ErrorResponse>(
      '/api/servers/join',
      { inviteCode: invite.body.code },
      { token: dan.token },
    );
    expect(late.status).toBe(403);
    expect(late.body.error.details?.reason).toBe('expired');
  });

  it('refuse members, signup codes and unknown codes without spending a use', async () => {
    const s = await makeServer(http, owner, 'Careful');
    await joinServer(http, s, owner, [ann]);
    const invite = await http.post<ServerInvite>(`/api/servers/${s.id}/invites`, {}, { token: owner.token });
    expect(
      (await http.post('/api/servers/join', { inviteCode: invite.body.code }, { token: ann.token })).status,
    ).toBe(409);
    expect(
      (await http.post('/api/servers/join', { inviteCode: invite.body.code }, { token: cat.token })).status,
    ).toBe(200);
    const signupCode = (await http.post<{ code: string }>('/api/invites', undefined, { token: owner.token }))
      .body.code;
    const wrongKind = await http.post<ErrorResponse>(
      '/api/servers/join',
      { inviteCode: signupCode },
      { token: dan.token },
    );
    expect(wrongKind.status).toBe(403);
    expect(wrongKind.body.error.details?.reason).toBe('not_server_invite');
    const unknown = await http.post<ErrorResponse>(
      '/api/servers/join',
      { inviteCode: 'nope' },
      { token: dan.token },
    );
    expect(unknown.body.error.details?.reason).toBe('unknown_code');
  });

  it('also work at signup: the new account joins the server', async () => {
    const s = await makeServer(http, owner, 'Signup joins');
    const invite = await http.post<ServerInvite>(`/api/servers/${s.id}/invites`, {}, { token: owner.token });
    const { socket } = await TestSocket.identified(server.wsUrl, owner.token);
    const res = await http.post<{ token: string; user: { id: string } }>('/api/auth/signup', {
      username: 'viaserver',
      password: 'password123',
      inviteCode: invite.body.code,
    });
    expect(res.status).toBe(201);
    const list = await http.get<Server[]>('/api/servers', { token: res.body.token });
    expect(list.body.map((x) => x.id)).toEqual([s.id]);
    const join = await socket.next(
      (f) => f.t === 'member_join' && (f.d as { serverId: string }).serverId === s.id,
    );
    expect((join.d as { member: { user: { id: string } } }).member.user.id).toBe(res.body.user.id);
    socket.close();
  });
});
