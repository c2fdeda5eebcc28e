import type { Member, Server } from '@decentra/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  joinServer,
  makeServer,
  makeUsers,
  send,
  type TestUser,
  textChannel,
} from '../../../test/factories.js';
import { type Api, api } from '../../../test/http.js';
import { startTestServer, type TestServer } from '../../../test/test-server.js';
import { TestSocket } from '../../../test/ws-client.js';

let server: TestServer;
let http: Api;
let owner: TestUser;
let ann: TestUser;
let ben: TestUser;

beforeAll(async () => {
  server = await startTestServer();
  http = api(server.url);
  [owner, ann, ben] = await makeUsers(http, ['owner', 'ann', 'ben']);
});
afterAll(() => server.close());

async function freshServer(name: string): Promise<Server> {
  const s = await makeServer(http, owner, name);
  await joinServer(http, s, owner, [ann, ben]);
  return s;
}

describe('members', () => {
  it('are listed with the owner flag and permissions', async () => {
    const s = await freshServer('List');
    const res = await http.get<Member[]>(`/api/servers/${s.id}/members`, { token: ann.token });
    expect(res.body.map((m) => [m.user.username, m.isOwner, m.permissions.createChannel])).toEqual([
      ['owner', true, true],
      ['ann', false, false],
      ['ben', false, false],
    ]);
  });

  it('get permissions from the owner one flag at a time, and everyone hears member_update', async () => {
    const s = await freshServer('Perms');
    const { socket } = await TestSocket.identified(server.wsUrl, ben.token);
    const res = await http.patch<Member>(
      `/api/servers/${s.id}/members/${ann.id}`,
      { permissions: { createChannel: true } },
      { token: owner.token },
    );
    expect(res.status).toBe(200);
    expect(res.body.permissions).toEqual({ createChannel: true, editChannel: false, deleteChannel: false });
    const update = await socket.next((f) => f.t === 'member_update');
    expect(update.d).toEqual({ serverId: s.id, member: res.body });
    const mine = await http.get<Server>(`/api/servers/${s.id}`, { token: ann.token });
    expect(mine.body.myPermissions.createChannel).toBe(true);
    socket.close();
  });

  it('cannot have their permissions set by a non-owner, nor the owner’s changed', async () => {
    const s = await freshServer('Perms2');
    expect(
      (
        await http.patch(
          `/api/servers/${s.id}/members/${ben.id}`,
          { permissions: { createChannel: true } },
          { token: ann.token },
        )
      ).status,
    ).toBe(403);
    expect(
      (
        await http.patch(
          `/api/servers/${s.id}/members/${owner.id}`,
          { permissions: { createChannel: false } },
          { token: owner.token },
        )
      ).status,
    ).toBe(400);
    expect(
      (
        await http.patch(
          `/api/servers/${s.id}/members/${ann.id}`,
          { permissions: { admin: true } },
          { token: owner.token },
        )
      ).status,
    ).toBe(400);
    expect(
      (
        await http.patch(
          `/api/servers/${s.id}/members/123`,
          { permissions: { createChannel: true } },
          { token: owner.token },
        )
      ).status,
    ).toBe(404);
  });

  it('kicked by the owner stop hearing the server at once and lose its history', async () => {
    const s = await freshServer('Kick');
    const channel = textChannel(s);
    await send(http, owner, channel, 'before the kick');
    const { socket: kicked } = await TestSocket.identified(server.wsUrl, ben.token);
    const { socket: stays } = await TestSocket.identified(server.wsUrl, ann.token);
    expect((await http.delete(`/api/servers/${s.id}/members/${ben.id}`, { token: ann.token })).status).toBe(
      403,
    );
    expect((await http.delete(`/api/servers/${s.id}/members/${ben.id}`, { token: owner.token })).status).toBe(
      204,
    );
    const leave = await kicked.next((f) => f.t === 'member_leave');
    expect(leave.d).toEqual({ serverId: s.id, userId: ben.id });
    await stays.next((f) => f.t === 'member_leave');
    await send(http, owner, channel, 'after the kick');
    await stays.next(
      (f) => f.t === 'message_create' && (f.d as { content: string }).content === 'after the kick',
    );
    expect(kicked.events('message_create')).toHaveLength(0);
    expect((await http.get(`/api/channels/${channel}/messages`, { token: ben.token })).status).toBe(404);
    expect((await send(http, ben, channel, 'let me in')).status).toBe(404);
    kicked.close();
    stays.close();
  });

  it('leave with @me; the owner cannot leave without deleting', async () => {
    const s = await freshServer('Leave');
    expect((await http.delete(`/api/servers/${s.id}/members/@me`, { token: ann.token })).status).toBe(204);
    expect((await http.get(`/api/servers/${s.id}`, { token: ann.token })).status).toBe(404);
    const ownerLeaves = await http.delete<{ error: { code: string } }>(`/api/servers/${s.id}/members/@me`, {
      token: owner.token,
    });
    expect(ownerLeaves.status).toBe(409);
    expect(
      (await http.delete(`/api/servers/${s.id}/members/${owner.id}`, { token: owner.token })).status,
    ).toBe(409);
  });
});
