import { ApiError } from '@decentra/client';
import { ERROR_STATUS, type ErrorCode, type Server } from '@decentra/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { joinAll, type Person, people, refused, serverWith, textChannelOf } from '../../test/people.js';
import { startTestServer, type TestServer } from '../../test/test-server.js';
import { TestSocket } from '../../test/ws-client.js';

/**
 * Every chat-core endpoint and op against every standing a caller can have in a server: the
 * owner, a member holding the channel permissions, a member without them, and a stranger.
 * A call comes to `ok` (its route's success status, which the server takes from the contract)
 * or to the status it was refused with; `plain` is a message stored with `@everyone` as text.
 */
type Role = 'owner' | 'permitted' | 'member' | 'stranger';
type Outcome = 'ok' | 'plain' | number;
const ROLES: Role[] = ['owner', 'permitted', 'member', 'stranger'];

let server: TestServer;
let users: Record<Role | 'target', Person>;
let guild: Server;
let channel: string;

beforeAll(async () => {
  server = await startTestServer({ sendLimits: { points: 10_000, windowSeconds: 5 } });
  const [owner, permitted, member, stranger, target] = await people(server.url, [
    'owner',
    'permitted',
    'member',
    'stranger',
    'target',
  ]);
  users = { owner, permitted, member, stranger, target };
  guild = await serverWith(users.owner, 'Matrix', [users.permitted, users.member, users.target]);
  const granted = await users.owner.rest.updateMember({
    serverId: guild.id,
    userId: users.permitted.id,
    permissions: {
      createChannel: true,
      editChannel: true,
      deleteChannel: true,
      mentionEveryone: true,
      pinMessages: true,
    },
  });
  expect(granted.permissions).toEqual({
    createChannel: true,
    editChannel: true,
    deleteChannel: true,
    mentionEveryone: true,
    pinMessages: true,
  });
  channel = textChannelOf(guild);
});
afterAll(() => server.close());

const outcomeOf = (call: Promise<unknown>): Promise<Outcome> =>
  call.then(
    () => 'ok' as const,
    (err: unknown) => (err instanceof ApiError ? err.status : Promise.reject(err)),
  );

const newChannel = async () =>
  (await users.owner.rest.createChannel({ serverId: guild.id, name: 'tmp', type: 'text' })).id;
const targetMessage = async () =>
  (await users.target.rest.sendMessage({ channelId: channel, content: 'by target' })).id;

interface Case {
  name: string;
  expect: Record<Role, Outcome>;
  run: (user: Person) => Promise<Outcome>;
}

const cases: Case[] = [
  {
    name: 'GET /servers/:id',
    expect: { owner: 'ok', permitted: 'ok', member: 'ok', stranger: 404 },
    run: (u) => outcomeOf(u.rest.getServer({ serverId: guild.id })),
  },
  {
    name: 'PATCH /servers/:id',
    expect: { owner: 'ok', permitted: 403, member: 403, stranger: 404 },
    run: (u) => outcomeOf(u.rest.renameServer({ serverId: guild.id, name: 'Matrix' })),
  },
  {
    name: 'POST /servers/:id/invites',
    expect: { owner: 'ok', permitted: 403, member: 403, stranger: 404 },
    run: (u) => outcomeOf(u.rest.createServerInvite({ serverId: guild.id })),
  },
  {
    name: 'GET /servers/:id/members',
    expect: { owner: 'ok', permitted: 'ok', member: 'ok', stranger: 404 },
    run: (u) => outcomeOf(u.rest.listMembers({ serverId: guild.id })),
  },
  {
    name: 'PATCH /servers/:id/members/:userId',
    expect: { owner: 'ok', permitted: 403, member: 403, stranger: 404 },
    run: (u) =>
      outcomeOf(
        u.rest.updateMember({
          serverId: guild.id,
          userId: users.target.id,
          permissions: { editChannel: false },
        }),
      ),
  },
  {
    name: 'DELETE /servers/:id/members/:userId (kick)',
    expect: { owner: 'ok', permitted: 403, member: 403, stranger: 404 },
    run: async (u) => {
      const [victim] = await people(server.url, [`v${Math.random().toString(36).slice(2, 10)}`], users.owner);
      await joinAll(guild, users.owner, [victim]);
      return outcomeOf(u.rest.removeMember({ serverId: guild.id, userId: victim.id }));
    },
  },
  {
    name: 'POST /servers/:id/channels',
    expect: { owner: 'ok', permitted: 'ok', member: 403, stranger: 404 },
    run: (u) => outcomeOf(u.rest.createChannel({ serverId: guild.id, name: 'new', type: 'voice' })),
  },
  {
    name: 'PATCH /channels/:id',
    expect: { owner: 'ok', permitted: 'ok', member: 403, stranger: 404 },
    run: async (u) => outcomeOf(u.rest.renameChannel({ channelId: await newChannel(), name: 'renamed' })),
  },
  {
    name: 'DELETE /channels/:id',
    expect: { owner: 'ok', permitted: 'ok', member: 403, stranger: 404 },
    run: async (u) => outcomeOf(u.rest.deleteChannel({ channelId: await newChannel() })),
  },
  {
    name: 'GET /channels/:id/messages',
    expect: { owner: 'ok', permitted: 'ok', member: 'ok', stranger: 404 },
    run: (u) => outcomeOf(u.rest.listMessages({ channelId: channel })),
  },
  {
    name: 'POST /channels/:id/messages',
    expect: { owner: 'ok', permitted: 'ok', member: 'ok', stranger: 404 },
    run: (u) => outcomeOf(u.rest.sendMessage({ channelId: channel, content: 'hi' })),
  },
  {
    name: "PATCH someone else's message",
    expect: { owner: 403, permitted: 403, member: 403, stranger: 404 },
    run: async (u) =>
      outcomeOf(u.rest.editMessage({ channelId: channel, messageId: await targetMessage(), content: 'x' })),
  },
  {
    name: "DELETE someone else's message",
    expect: { owner: 'ok', permitted: 403, member: 403, stranger: 404 },
    run: async (u) =>
      outcomeOf(u.rest.deleteMessage({ channelId: channel, messageId: await targetMessage() })),
  },
  {
    name: 'PUT, DELETE and GET a reaction on a message',
    expect: { owner: 'ok', permitted: 'ok', member: 'ok', stranger: 404 },
    run: async (u) => {
      const on = { channelId: channel, messageId: await targetMessage(), emoji: '👍' };
      const added = await outcomeOf(u.rest.addReaction(on));
      if (added !== 'ok') return added;
      const listed = await outcomeOf(u.rest.listReactors(on));
      if (listed !== 'ok') return listed;
      return outcomeOf(u.rest.removeReaction(on));
    },
  },
  {
    name: 'POST /channels/:id/ack',
    expect: { owner: 'ok', permitted: 'ok', member: 'ok', stranger: 404 },
    run: async (u) => outcomeOf(u.rest.ackChannel({ channelId: channel, messageId: await targetMessage() })),
  },
  {
    name: 'GET /channels/:id/read-state',
    expect: { owner: 'ok', permitted: 'ok', member: 'ok', stranger: 404 },
    run: (u) => outcomeOf(u.rest.getReadState({ channelId: channel })),
  },
  {
    name: 'PATCH /users/@me/notification-overrides/:serverId',
    expect: { owner: 'ok', permitted: 'ok', member: 'ok', stranger: 404 },
    run: (u) => outcomeOf(u.rest.updateNotificationOverride({ targetId: guild.id, mode: null })),
  },
  {
    name: 'PATCH /users/@me/notification-overrides/:channelId',
    expect: { owner: 'ok', permitted: 'ok', member: 'ok', stranger: 404 },
    run: (u) => outcomeOf(u.rest.updateNotificationOverride({ targetId: channel, mute: null })),
  },
  {
    name: '@everyone in a message (mentionEveryone)',
    expect: { owner: 'ok', permitted: 'ok', member: 'plain', stranger: 404 },
    run: (u) =>
      u.rest.sendMessage({ channelId: channel, content: 'hear me @everyone' }).then(
        (m) => (m.mentionEveryone === 'everyone' ? 'ok' : 'plain'),
        (err: unknown) => (err instanceof ApiError ? err.status : Promise.reject(err)),
      ),
  },
  {
    name: '@here in an edited message (mentionEveryone)',
    expect: { owner: 'ok', permitted: 'ok', member: 'plain', stranger: 404 },
    run: async (u) => {
      const mine =
        u === users.stranger
          ? await targetMessage()
          : (await u.rest.sendMessage({ channelId: channel, content: 'x' })).id;
      return u.rest.editMessage({ channelId: channel, messageId: mine, content: '@here now' }).then(
        (m) => (m.mentionEveryone === 'here' ? 'ok' : 'plain'),
        (err: unknown) => (err instanceof ApiError ? err.status : Promise.reject(err)),
      );
    },
  },
  {
    name: 'GET /channels/:id/pins',
    expect: { owner: 'ok', permitted: 'ok', member: 'ok', stranger: 404 },
    run: (u) => outcomeOf(u.rest.listPins({ channelId: channel })),
  },
  {
    name: 'PUT /channels/:id/pins/:messageId (pinMessages)',
    expect: { owner: 'ok', permitted: 'ok', member: 403, stranger: 404 },
    run: async (u) => outcomeOf(u.rest.pinMessage({ channelId: channel, messageId: await targetMessage() })),
  },
  {
    name: 'DELETE /channels/:id/pins/:messageId (pinMessages)',
    expect: { owner: 'ok', permitted: 'ok', member: 403, stranger: 404 },
    run: async (u) => {
      const messageId = await targetMessage();
      await users.owner.rest.pinMessage({ channelId: channel, messageId });
      return outcomeOf(u.rest.unpinMessage({ channelId: channel, messageId }));
    },
  },
  {
    name: 'DELETE /servers/:id',
    expect: { owner: 'ok', permitted: 403, member: 403, stranger: 404 },
    run: async (u) => {
      const doomed = await serverWith(users.owner, 'Doomed', [users.permitted, users.member]);
      await users.owner.rest.updateMember({
        serverId: doomed.id,
        userId: users.permitted.id,
        permissions: { deleteChannel: true },
      });
      return outcomeOf(u.rest.deleteServer({ serverId: doomed.id }));
    },
  },
  {
    name: 'gateway send_message',
    expect: { owner: 'ok', permitted: 'ok', member: 'ok', stranger: 404 },
    run: async (u) => {
      const { socket } = await TestSocket.identified(server.wsUrl, u.token);
      const reply = await socket.request('send_message', {
        channelId: channel,
        content: 'op',
        nonce: `m-${Math.random()}`,
      });
      socket.close();
      return reply.ok ? 'ok' : ERROR_STATUS[reply.error?.code as ErrorCode];
    },
  },
  {
    name: 'gateway ack',
    expect: { owner: 'ok', permitted: 'ok', member: 'ok', stranger: 404 },
    run: async (u) => {
      const messageId = await targetMessage();
      const { socket } = await TestSocket.identified(server.wsUrl, u.token);
      const reply = await socket.request('ack', { channelId: channel, messageId });
      socket.close();
      return reply.ok ? 'ok' : ERROR_STATUS[reply.error?.code as ErrorCode];
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
    const before = await users.owner.rest.getServer({ serverId: guild.id });
    await refused(users.member.rest.renameServer({ serverId: guild.id, name: 'Hijacked' }));
    await refused(users.member.rest.createChannel({ serverId: guild.id, name: 'sneaky', type: 'text' }));
    await refused(users.stranger.rest.deleteChannel({ channelId: channel }));
    const after = await users.owner.rest.getServer({ serverId: guild.id });
    expect(after.name).toBe(before.name);
    expect(after.channels.map((ch) => ch.name)).not.toContain('sneaky');
    expect(after.channels.map((ch) => ch.id)).toContain(channel);
  });
});
