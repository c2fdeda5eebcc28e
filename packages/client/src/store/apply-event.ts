import type {
  Channel,
  FriendRequest,
  Member,
  Message,
  Server,
  UserRef,
  VoiceState,
} from '@decentra/protocol';
import {
  type ChatState,
  type PresenceStatus,
  withDm,
  withoutServer,
  withServer,
  withUsers,
} from './chat-store.js';
import { EMPTY_CHANNEL, mergeMessages, removeMessage } from './message-list.js';

/** How long a `typing_start` keeps someone shown as typing. */
export const TYPING_MS = 8_000;

type Reducer = (state: ChatState, d: never, now: number) => Partial<ChatState>;

/** Gateway events as state changes. Unknown events change nothing. */
const reducers: Record<string, Reducer> = {
  server_create: (s, d: Server) => withServer(s, d),
  server_update: (s, d: { id: string; name: string; ownerId: string }) => {
    const server = s.servers[d.id];
    if (!server) return {};
    return { servers: { ...s.servers, [d.id]: { ...server, name: d.name, ownerId: d.ownerId } } };
  },
  server_delete: (s, d: { id: string }) => withoutServer(s, d.id),
  voice_state_update: (s, d: VoiceState) => {
    const others = (s.voice[d.channelId] ?? []).filter((id) => id !== d.userId);
    return { voice: { ...s.voice, [d.channelId]: d.present ? [...others, d.userId] : others } };
  },
  member_join: (s, d: { serverId: string; member: Member }) => withMember(s, d.serverId, d.member),
  member_update: (s, d: { serverId: string; member: Member }) => {
    const next = withMember(s, d.serverId, d.member);
    const server = s.servers[d.serverId];
    if (server && d.member.user.id === s.me?.id) {
      next.servers = { ...s.servers, [d.serverId]: { ...server, myPermissions: d.member.permissions } };
    }
    return next;
  },
  member_leave: (s, d: { serverId: string; userId: string }) => {
    if (d.userId === s.me?.id) return withoutServer(s, d.serverId);
    const list = s.members[d.serverId];
    if (!list) return {};
    return { members: { ...s.members, [d.serverId]: list.filter((m) => m.user.id !== d.userId) } };
  },
  channel_create: (s, d: Channel) => withChannel(s, d),
  channel_update: (s, d: Channel) => withChannel(s, d),
  channel_delete: (s, d: { id: string; serverId: string }) => {
    const channels = { ...s.channels };
    delete channels[d.id];
    const messages = { ...s.messages };
    delete messages[d.id];
    const server = s.servers[d.serverId];
    const servers = server
      ? {
          ...s.servers,
          [d.serverId]: { ...server, channelIds: server.channelIds.filter((id) => id !== d.id) },
        }
      : s.servers;
    return { channels, messages, servers };
  },
  message_create: (s, d: Message) => {
    const list = s.messages[d.channelId] ?? EMPTY_CHANNEL;
    const typing = s.typing[d.channelId];
    const next: Partial<ChatState> = {
      messages: { ...s.messages, [d.channelId]: mergeMessages(list, [d]) },
      users: withUsers(s.users, [d.author]),
    };
    if (typing?.[d.author.id] !== undefined) {
      const rest = { ...typing };
      delete rest[d.author.id];
      next.typing = { ...s.typing, [d.channelId]: rest };
    }
    return next;
  },
  message_update: (s, d: Message) => {
    const list = s.messages[d.channelId];
    if (!list) return {};
    return { messages: { ...s.messages, [d.channelId]: mergeMessages(list, [d]) } };
  },
  message_delete: (s, d: { id: string; channelId: string }) => {
    const list = s.messages[d.channelId];
    if (!list) return {};
    return { messages: { ...s.messages, [d.channelId]: removeMessage(list, d.id) } };
  },
  dm_create: (s, d: Channel) => withDm(s, d),
  friend_request_create: (s, d: FriendRequest) => {
    const users = withUsers(s.users, [d.from, d.to]);
    if (d.to.id === s.me?.id) return { users, incoming: [...s.incoming.filter((r) => r.id !== d.id), d] };
    return { users, outgoing: [...s.outgoing.filter((r) => r.id !== d.id), d] };
  },
  friend_request_delete: (s, d: { id: string }) => ({
    incoming: s.incoming.filter((r) => r.id !== d.id),
    outgoing: s.outgoing.filter((r) => r.id !== d.id),
  }),
  friend_add: (s, d: UserRef) => ({
    friends: { ...s.friends, [d.id]: { id: d.id, username: d.username } },
    users: withUsers(s.users, [d]),
  }),
  friend_remove: (s, d: { userId: string }) => {
    const friends = { ...s.friends };
    delete friends[d.userId];
    return { friends };
  },
  presence_update: (s, d: { userId: string; status: PresenceStatus }) => ({
    presence: { ...s.presence, [d.userId]: d.status },
  }),
  typing_start: (s, d: { channelId: string; userId: string }, now) => ({
    typing: { ...s.typing, [d.channelId]: { ...s.typing[d.channelId], [d.userId]: now + TYPING_MS } },
  }),
};

export function reduceEvent(state: ChatState, t: string, d: unknown, now = Date.now()): Partial<ChatState> {
  const reducer = reducers[t];
  return reducer ? reducer(state, d as never, now) : {};
}

/** A server channel (or DM) added or replaced; applying it twice changes nothing. */
export function withChannel(s: ChatState, c: Channel): Partial<ChatState> {
  const channels = { ...s.channels, [c.id]: c };
  if (c.type === 'dm' || !c.serverId) return withDm(s, c);
  const server = s.servers[c.serverId];
  if (!server) return { channels };
  const channelIds = server.channelIds.includes(c.id) ? server.channelIds : [...server.channelIds, c.id];
  return { channels, servers: { ...s.servers, [c.serverId]: { ...server, channelIds } } };
}

function withMember(s: ChatState, serverId: string, member: Member): Partial<ChatState> {
  const users = withUsers(s.users, [member.user]);
  const list = s.members[serverId];
  if (!list) return { users };
  const i = list.findIndex((m) => m.user.id === member.user.id);
  const next = i === -1 ? [...list, member] : list.map((m, j) => (j === i ? member : m));
  return { users, members: { ...s.members, [serverId]: next } };
}

/** Names of the people typing in a channel now (never me). */
export function typingNames(state: ChatState, channelId: string, now = Date.now()): string[] {
  const entries = state.typing[channelId];
  if (!entries) return [];
  return Object.entries(entries)
    .filter(([userId, until]) => until > now && userId !== state.me?.id)
    .map(([userId]) => state.users[userId]?.username ?? 'Someone');
}
