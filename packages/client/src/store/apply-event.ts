import type {
  Channel,
  EventData,
  EventName,
  GatewayEvent,
  Member,
  Message,
  ReadState,
  UserRef,
} from '@decentra/protocol';
import { compareIds, MENTION_COUNT_CAP, mentionsUser } from '@decentra/protocol';
import {
  type ChatState,
  withDm,
  withoutServer,
  withServer,
  withUsers,
  withVoiceState,
} from './chat-store.js';
import { EMPTY_CHANNEL, forgetOriginal, removeMessage, setPinned } from './message-list.js';
import { mergeLive } from './message-window.js';
import { withReaction } from './reactions.js';

/** How long a `typing_start` keeps someone shown as typing. */
export const TYPING_MS = 8_000;

type Reducers = { [T in EventName]: (state: ChatState, d: EventData<T>, now: number) => Partial<ChatState> };

/**
 * Every gateway event as a state change, by `t`. The map is exhaustive: an event the contract
 * adds fails the type-check here until it has a reducer.
 */
const reducers: Reducers = {
  server_create: (s, d) => withServer(s, d),
  server_update: (s, d) => {
    const server = s.servers[d.id];
    if (!server) return {};
    const { icon: _, ...rest } = server;
    const next = { ...rest, name: d.name, ownerId: d.ownerId, ...(d.icon ? { icon: d.icon } : {}) };
    return { servers: { ...s.servers, [d.id]: next } };
  },
  server_delete: (s, d) => withoutServer(s, d.id),
  voice_state_update: (s, d) => ({ voice: withVoiceState(s.voice, d) }),
  member_join: (s, d) => withMember(s, d.serverId, d.member),
  member_update: (s, d) => {
    const next = withMember(s, d.serverId, d.member);
    const server = s.servers[d.serverId];
    if (server && d.member.user.id === s.me?.id) {
      next.servers = { ...s.servers, [d.serverId]: { ...server, myPermissions: d.member.permissions } };
    }
    return next;
  },
  member_leave: (s, d) => {
    if (d.userId === s.me?.id) return withoutServer(s, d.serverId);
    const list = s.members[d.serverId];
    if (!list) return {};
    return { members: { ...s.members, [d.serverId]: list.filter((m) => m.user.id !== d.userId) } };
  },
  channel_create: (s, d) => withChannel(s, d),
  channel_update: (s, d) => withChannel(s, d),
  channel_delete: (s, d) => {
    const channels = { ...s.channels };
    delete channels[d.id];
    const messages = { ...s.messages };
    delete messages[d.id];
    const voice = { ...s.voice };
    delete voice[d.id];
    const readStates = { ...s.readStates };
    delete readStates[d.id];
    const server = s.servers[d.serverId];
    const servers = server
      ? {
          ...s.servers,
          [d.serverId]: { ...server, channelIds: server.channelIds.filter((id) => id !== d.id) },
        }
      : s.servers;
    return { channels, messages, servers, voice, readStates };
  },
  message_create: (s, d) => {
    const list = s.messages[d.channelId] ?? EMPTY_CHANNEL;
    const typing = s.typing[d.channelId];
    const next: Partial<ChatState> = {
      messages: { ...s.messages, [d.channelId]: mergeLive(list, [d]) },
      users: withUsers(s.users, [d.author], 'event'),
    };
    if (typing?.[d.author.id] !== undefined) {
      const rest = { ...typing };
      delete rest[d.author.id];
      next.typing = { ...s.typing, [d.channelId]: rest };
    }
    const readStates = withIncoming(s, d);
    if (readStates) next.readStates = readStates;
    return next;
  },
  message_update: (s, d) => {
    const list = s.messages[d.channelId];
    if (!list) return {};
    return { messages: { ...s.messages, [d.channelId]: mergeLive(list, [d]) } };
  },
  message_delete: (s, d) => {
    const list = s.messages[d.channelId];
    if (!list) return {};
    return { messages: { ...s.messages, [d.channelId]: forgetOriginal(removeMessage(list, d.id), d.id) } };
  },
  channel_pins_update: (s, d) => {
    const list = s.messages[d.channelId];
    if (!list) return {};
    return { messages: { ...s.messages, [d.channelId]: setPinned(list, d.messageId, d.pinned) } };
  },
  reaction_add: (s, d) => withReaction(s, d, true),
  reaction_remove: (s, d) => withReaction(s, d, false),
  dm_create: (s, d) => withDm(s, d),
  friend_request_create: (s, d) => {
    const users = withUsers(s.users, [d.from, d.to]);
    if (d.to.id === s.me?.id) return { users, incoming: [...s.incoming.filter((r) => r.id !== d.id), d] };
    return { users, outgoing: [...s.outgoing.filter((r) => r.id !== d.id), d] };
  },
  friend_request_delete: (s, d) => ({
    incoming: s.incoming.filter((r) => r.id !== d.id),
    outgoing: s.outgoing.filter((r) => r.id !== d.id),
  }),
  friend_add: (s, d) => ({
    friends: { ...s.friends, [d.id]: d },
    users: withUsers(s.users, [d]),
  }),
  friend_remove: (s, d) => {
    const friends = { ...s.friends };
    delete friends[d.userId];
    return { friends };
  },
  presence_update: (s, d) => ({
    presence: { ...s.presence, [d.userId]: d.status },
  }),
  presence_batch: (s, d) => {
    const presence = { ...s.presence };
    for (const userId of d.online) presence[userId] = 'online';
    for (const userId of d.offline) presence[userId] = 'offline';
    return { presence };
  },
  typing_start: (s, d, now) => ({
    users: withUsers(s.users, [{ id: d.userId, username: d.username }], 'event'),
    typing: { ...s.typing, [d.channelId]: { ...s.typing[d.channelId], [d.userId]: now + TYPING_MS } },
  }),
  // Signals carry WebRTC media negotiation: they go to the voice engine, not into the store.
  voice_signal: () => ({}),
  // The full call follows in `call_update`; this only makes sure the caller's name is known.
  call_incoming: (s, d) => ({ users: withUsers(s.users, [d.from], 'event') }),
  call_update: (s, d) => {
    const calls = { ...s.calls };
    if (d.state === 'ringing' || d.state === 'active') calls[d.callId] = d;
    else delete calls[d.callId];
    return { calls, users: withUsers(s.users, [d.caller, d.callee], 'event') };
  },
  user_update: (s, d) => ({ ...withUserRef(s, toRef(d)), me: d }),
  user_ref_update: (s, d) => withUserRef(s, d),
  read_state_update: (s, d) => {
    const held = s.readStates[d.channelId];
    const next = laterReadState(held, d);
    return next === held ? {} : { readStates: { ...s.readStates, [d.channelId]: next } };
  },
  notification_override_update: (s, d) => {
    const notificationOverrides = { ...s.notificationOverrides };
    if (d.mode === null && !d.muted) delete notificationOverrides[d.targetId];
    else notificationOverrides[d.targetId] = d;
    return { notificationOverrides };
  },
  settings_update: (_s, d) => ({ settings: d }),
};

/**
 * Someone else's new message: the channel's newest message moves on and, when it mentions me
 * (a DM always does), one more mention. A channel read until now starts its unread part here.
 * Call records count as the server counts them: a missed call makes the DM unread for the callee.
 */
function withIncoming(s: ChatState, m: Message): ChatState['readStates'] | undefined {
  const me = s.me?.id;
  if (!me || m.author.id === me) return undefined;
  const channel = s.channels[m.channelId];
  if (!channel) return undefined;
  const current = s.readStates[m.channelId];
  if (current?.lastMessageId && compareIds(current.lastMessageId, m.id) >= 0) return undefined;
  if (current?.lastReadId && compareIds(current.lastReadId, m.id) >= 0) return undefined;
  const mention = mentionsUser(m, me, channel.serverId);
  const count = current?.mentionCount ?? 0;
  return {
    ...s.readStates,
    [m.channelId]: {
      channelId: m.channelId,
      lastReadId: current ? current.lastReadId : (BigInt(m.id) - 1n).toString(),
      lastMessageId: m.id,
      mentionCount: mention ? Math.min(MENTION_COUNT_CAP, count + 1) : count,
    },
  };
}

/**
 * Of the read state held and one the server sent after an ack, the one further along: reading
 * never goes back (an answer to an earlier ack, or another tab's, can arrive after this tab's
 * optimistic ack), and at the same last-read message a newer message already seen here stays
 * unread (its event can overtake the ack's answer).
 */
export function laterReadState(held: ReadState | undefined, incoming: ReadState): ReadState {
  if (!held) return incoming;
  const read = compareNullable(held.lastReadId, incoming.lastReadId);
  if (read > 0) return held;
  if (read === 0 && compareNullable(held.lastMessageId, incoming.lastMessageId) > 0) return held;
  return incoming;
}

/** compareIds with null (nothing) before every id. */
function compareNullable(a: string | null, b: string | null): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  return compareIds(a, b);
}

/** The state change one event makes. */
export function reduceEvent(state: ChatState, event: GatewayEvent, now = Date.now()): Partial<ChatState> {
  // A newer server may send events this client does not know yet: they change nothing.
  if (!Object.hasOwn(reducers, event.t)) return {};
  return reduceTyped(state, event.t, event.d, now);
}

function reduceTyped<T extends EventName>(
  state: ChatState,
  t: T,
  d: EventData<T>,
  now: number,
): Partial<ChatState> {
  return reducers[t](state, d, now);
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

export function withMember(s: ChatState, serverId: string, member: Member): Partial<ChatState> {
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

function toRef(user: UserRef): UserRef {
  return user.avatar
    ? { id: user.id, username: user.username, avatar: user.avatar }
    : { id: user.id, username: user.username };
}

/** Someone's name or avatar changed: every place the store shows them takes the new ref. */
function withUserRef(s: ChatState, ref: UserRef): Partial<ChatState> {
  const swap = (u: UserRef) => (u.id === ref.id ? ref : u);
  const next: Partial<ChatState> = { users: withUsers(s.users, [ref]) };
  if (s.friends[ref.id]) next.friends = { ...s.friends, [ref.id]: ref };
  const members: ChatState['members'] = {};
  for (const [serverId, list] of Object.entries(s.members)) {
    members[serverId] = list.some((m) => m.user.id === ref.id)
      ? list.map((m) => (m.user.id === ref.id ? { ...m, user: ref } : m))
      : list;
  }
  next.members = members;
  next.incoming = s.incoming.map((r) => ({ ...r, from: swap(r.from), to: swap(r.to) }));
  next.outgoing = s.outgoing.map((r) => ({ ...r, from: swap(r.from), to: swap(r.to) }));
  const channels = { ...s.channels };
  for (const id of s.dmIds) {
    const dm = channels[id];
    if (dm?.recipients?.some((u) => u.id === ref.id))
      channels[id] = { ...dm, recipients: dm.recipients.map(swap) };
  }
  next.channels = channels;
  return next;
}
