import type { Server } from '@decentra/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settled } from '../../../test/barriers.js';
import { api } from '../../../test/http.js';
import { type Person, people, refused, serverWith, textChannelOf } from '../../../test/people.js';
import { startTestServer, type TestServer } from '../../../test/test-server.js';
import { TestSocket } from '../../../test/ws-client.js';

let server: TestServer;
let owner: Person;
let ann: Person;
let ben: Person;

beforeAll(async () => {
  server = await startTestServer();
  [owner, ann, ben] = await people(server.url, ['owner', 'ann', 'ben']);
});
afterAll(() => server.close());

const freshServer = (name: string): Promise<Server> => serverWith(owner, name, [ann, ben]);

describe('members', () => {
  it('are listed with the owner flag and permissions', async () => {
    const s = await freshServer('List');
    const members = await ann.rest.listMembers({ serverId: s.id });
    expect(members.map((m) => [m.user.username, m.isOwner, m.permissions.createChannel])).toEqual([
      ['owner', true, true],
      ['ann', false, false],
      ['ben', false, false],
    ]);
  });

  it('get permissions from the owner one flag at a time, and everyone hears member_update', async () => {
    const s = await freshServer('Perms');
    const { socket } = await TestSocket.identified(server.wsUrl, ben.token);
    const member = await owner.rest.updateMember({
      serverId: s.id,
      userId: ann.id,
      permissions: { createChannel: true },
    });
    expect(member.permissions).toEqual({
      createChannel: true,
      editChannel: false,
      deleteChannel: false,
      mentionEveryone: false,
      pinMessages: false,
    });
    expect((await socket.nextEvent('member_update')).d).toEqual({ serverId: s.id, member });
    expect((await ann.rest.getServer({ serverId: s.id })).myPermissions.createChannel).toBe(true);
    socket.close();
  });

  it('cannot have their permissions set by a non-owner, nor the owner’s changed', async () => {
    const s = await freshServer('Perms2');
    const set = (by: Person, userId: string, permissions: { createChannel: boolean }) =>
      refused(by.rest.updateMember({ serverId: s.id, userId, permissions }));
    expect((await set(ann, ben.id, { createChannel: true })).status).toBe(403);
    expect((await set(owner, owner.id, { createChannel: false })).status).toBe(400);
    expect((await set(owner, '123', { createChannel: true })).status).toBe(404);
    // A permission the contract does not have: the SDK's types would not let it through.
    const unknownFlag = await api(server.url).patch(
      `/api/servers/${s.id}/members/${ann.id}`,
      { permissions: { admin: true } },
      { token: owner.token },
    );
    expect(unknownFlag.status).toBe(400);
    const unchanged = await owner.rest.listMembers({ serverId: s.id });
    expect(unchanged.map((m) => m.permissions.createChannel)).toEqual([true, false, false]);
  });

  it('cannot be kicked by another member', async () => {
    const s = await freshServer('No kick');
    expect((await refused(ann.rest.removeMember({ serverId: s.id, userId: ben.id }))).status).toBe(403);
    expect((await owner.rest.listMembers({ serverId: s.id })).map((m) => m.user.id)).toContain(ben.id);
  });

  it('kicked by the owner hear member_leave, then nothing more of the server, and lose its history', async () => {
    const s = await freshServer('Kick');
    const channel = textChannelOf(s);
    await owner.rest.sendMessage({ channelId: channel, content: 'before the kick' });
    const { socket: kicked } = await TestSocket.identified(server.wsUrl, ben.token);
    const { socket: stays } = await TestSocket.identified(server.wsUrl, ann.token);
    await owner.rest.removeMember({ serverId: s.id, userId: ben.id });
    expect((await kicked.nextEvent('member_leave')).d).toEqual({ serverId: s.id, userId: ben.id });
    expect((await stays.nextEvent('member_leave')).d).toEqual({ serverId: s.id, userId: ben.id });
    await owner.rest.sendMessage({ channelId: channel, content: 'after the kick' });
    await stays.nextEvent('message_create', (d) => d.content === 'after the kick');
    // The message went out before its send was answered: had it been sent to ben, it is here now.
    await settled(kicked);
    expect(kicked.events('message_create')).toHaveLength(0);
    expect((await refused(ben.rest.listMessages({ channelId: channel }))).status).toBe(404);
    expect((await refused(ben.rest.sendMessage({ channelId: channel, content: 'let me in' }))).status).toBe(
      404,
    );
    kicked.close();
    stays.close();
  });

  it('leave with @me; the owner cannot leave without deleting', async () => {
    const s = await freshServer('Leave');
    await ann.rest.removeMember({ serverId: s.id, userId: '@me' });
    expect((await refused(ann.rest.getServer({ serverId: s.id }))).status).toBe(404);
    const ownerLeaves = await refused(owner.rest.removeMember({ serverId: s.id, userId: '@me' }));
    expect([ownerLeaves.status, ownerLeaves.code]).toEqual([409, 'conflict']);
    expect((await refused(owner.rest.removeMember({ serverId: s.id, userId: owner.id }))).status).toBe(409);
  });
});
