import type { Server } from '@decentra/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { joinServer, makeServer, makeUsers, send, type TestUser, textChannel } from '../../test/factories.js';
import { type Api, api } from '../../test/http.js';
import { startTestServer, type TestServer } from '../../test/test-server.js';
import { TestSocket } from '../../test/ws-client.js';

/**
 * Every chat-core endpoint and op against every standing a caller can have in a server: the
 * owner, a member holding the channel permissions, a member without them, and a stranger.
 */
type Role = 'owner' | 'permitted' | 'member' | 'stranger';
const ROLES: Role[] = ['owner', 'permitted', 'member', 'stranger'];

let server: TestServer;
let http: Api;
let users: Record<Role | 'target', TestUser>;
let guild: Server;
let channel: string;

beforeAll(async () => {
  server = await startTestServer({ sendLimits: { points: 10_000, windowSeconds: 5 } });
  http = api(server.url);
  const [owner, permitted, member, stranger, target] = await makeUsers(http, [
    'owner',
    'permitted',
    'member',
    'stranger',
    'target',
  ]);
  users = { owner, permitted, member, stranger, target };
  guild = await makeServer(http, users.owner, 'Matrix');
  await joinServer(http, guild, users.owner, [users.permitted, users.member, users.target]);
  const granted = await http.patch(
    `/api/servers/${guild.id}/members/${users.permitted.id}`,
    { permissions: { createChannel: true, editChannel: true, deleteChannel: true } },
    { token: users.owner.token },
  );
  expect(granted.status).toBe(200);
  channel = textChannel(guild);
});
afterAll(() => server.close());

const newChannel = async () =>
  (
    await http.post<{ id: string }>(
      `/api/servers/${guild.id}/channels`,
      { name: 'tmp', type: 'text' },
      { token: users.owner.token },
    )
  ).body.id;
const targetMessage = async () => (await send(http, users.target, channel, 'by target')).body.id;

interface Case {
  name: string;
  expect: Record<Role, number>;
  run: (user: TestUser) => Promise<number>;
}

const cases: Case[] = [
  {
    name: 'GET /servers/:id',
    expect: { owner: 200, permitted: 200, member: 200, stranger: 404 },
    run: async (u) => (await http.get(`/api/servers/${guild.id}`, { token: u.token })).status,
  },
  {
    name: 'PATCH /servers/:id',
    expect: { owner: 200, permitted: 403, member: 403, stranger: 404 },
    run: async (u) =>
      (await http.patch(`/api/servers/${guild.id}`, { name: 'Matrix' }, { token: u.token })).status,
  },
  {
    name: 'POST /servers/:id/invites',
    expect: { owner: 201, permitted: 403, member: 403, stranger: 404 },
    run: async (u) => (await http.post(`/api/servers/${guild.id}/invites`, {}, { token: u.token })).status,
  },
  {
    name: 'GET /servers/:id/members',
    expect: { owner: 200, permitted: 200, member: 200, stranger: 404 },
    run: async (u) => (await http.get(`/api/servers/${guild.id}/members`, { token: u.token })).status,
  },
  {
    name: 'PATCH /servers/:id/members/:userId',
    expect: { owner: 200, permitted: 403, member: 403, stranger: 404 },
    run: async (u) =>
      (
        await http.patch(
          `/api/servers/${guild.id}/members/${users.target.id}`,
          { permissions: { editChannel: false } },
          { token: u.token },
        )
      ).status,
  },
  {
    name: 'DELETE /servers/:id/members/:userId (kick)',
    expect: { owner: 204, permitted: 403, member: 403, stranger: 404 },
    run: async (u) => {
      const [victim] = await makeUsers(http, [`v${Math.random().toString(36).slice(2, 10)}`], users.owner);
      await joinServer(http, guild, users.owner, [victim]);
      return (await http.delete(`/api/servers/${guild.id}/members/${victim.id}`, { token: u.token })).status;
    },
  },
  {
    name: 'POST /servers/:id/channels',
    expect: { owner: 201, permitted: 201, member: 403, stranger: 404 },
    run: async (u) =>
      (
        await http.post(
          `/api/servers/${guild.id}/channels`,
          { name: 'new', type: 'voice' },
          { token: u.token },
        )
      ).status,
  },
  {
    name: 'PATCH /channels/:id',
    expect: { owner: 200, permitted: 200, member: 403, stranger: 404 },
    run: async (u) =>
      (await http.patch(`/api/channels/${await newChannel()}`, { name: 'renamed' }, { token: u.token }))
        .status,
  },
  {
    name: 'DELETE /channels/:id',
    expect: { owner: 204, permitted: 204, member: 403, stranger: 404 },
    run: async (u) => (await http.delete(`/api/channels/${await newChannel()}`, { token: u.token })).status,
  },
  {
    name: 'GET /channels/:id/messages',
    expect: { owner: 200, permitted: 200, member: 200, stranger: 404 },
    run: async (u) => (await http.get(`/api/channels/${channel}/messages`, { token: u.token })).status,
  },
  {
    name: 'POST /channels/:id/messages',
    expect: { owner: 201, permitted: 201, member: 201, stranger: 404 },
    run: async (u) => (await send(http, u, channel, 'hi')).status,
  },
  {
    name: "PATCH someone else's message",
    expect: { owner: 403, permitted: 403, member: 403, stranger: 404 },
    run: async (u) =>
      (
        await http.patch(
          `/api/channels/${channel}/messages/${await targetMessage()}`,
          { content: 'x' },
          { token: u.token },
        )
      ).status,
  },
  {
    name: "DELETE someone else's message",
    expect: { owner: 204, permitted: 403, member: 403, stranger: 404 },
    run: async (u) =>
      (await http.delete(`/api/channels/${channel}/messages/${await targetMessage()}`, { token: u.token }))
        .status,
  },
  {
    name: 'DELETE /servers/:id',
    expect: { owner: 204, permitted: 403, member: 403, stranger: 404 },
    run: async (u) => {
      const doomed = await makeServer(http, users.owner, 'Doomed');
      await joinServer(http, doomed, users.owner, [users.permitted, users.member]);
      await http.patch(
        `/api/servers/${doomed.id}/members/${users.permitted.id}`,
        { permissions: { deleteChannel: true } },
        { token: users.owner.token },
      );
      return (await http.delete(`/api/servers/${doomed.id}`, { token: u.token })).status;
    },
  },
  {
    name: 'gateway send_message',
    expect: { owner: 1, permitted: 1, member: 1, stranger: 404 },
    run: async (u) => {
      const { socket } = await TestSocket.identified(server.wsUrl, u.token);
      const reply = await socket.request('send_message', {
        channelId: channel,
        content: 'op',
        nonce: `m-${Math.random()}`,
      });
      socket.close();
      return reply.ok ? 1 : reply.error?.code === 'not_found' ? 404 : 403;
    },
  },
];

describe('permission matrix', () => {
  for (const c of cases) {
    it.each(ROLES)(`${c.name} as %s`, async (role) => {
      expect(await c.run(users[role])).toBe(c.expect[role]);
    });
  }

  it('refusals change nothing', async () => {
    const before = await http.get<Server>(`/api/servers/${guild.id}`, { token: users.owner.token });
    await http.patch(`/api/servers/${guild.id}`, { name: 'Hijacked' }, { token: users.member.token });
    await http.post(
      `/api/servers/${guild.id}/channels`,
      { name: 'sneaky', type: 'text' },
      { token: users.member.token },
    );
    await http.delete(`/api/channels/${channel}`, { token: users.stranger.token });
    const after = await http.get<Server>(`/api/servers/${guild.id}`, { token: users.owner.token });
    expect(after.body.name).toBe(before.body.name);
    expect(after.body.channels.map((ch) => ch.name)).not.toContain('sneaky');
    expect(after.body.channels.map((ch) => ch.id)).toContain(channel);
  });
});
