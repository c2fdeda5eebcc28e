import type {
  CallState,
  Channel,
  FriendRequest,
  Member,
  Permissions,
  PresenceStatus,
  ReadyData,
  Server,
  User,
  UserRef,
} from '@decentra/protocol';
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { GatewayState } from '../gateway.js';
import type { ChannelMessages } from './message-list.js';

/** A server without its channels inline: channels live in `channels`, listed by `channelIds`. */
export interface ServerInfo {
  id: string;
  name: string;
  ownerId: string;
  myPermissions: Permissions;
  channelIds: string[];
}

export type { PresenceStatus };

/** A call between friends while it rings or lasts; `from` is set on the callee's side. */
export interface CallInfo {
  id: string;
  state: Extract<CallState, 'ringing' | 'active'>;
  from?: UserRef;
}

/** The normalised client state, fed by REST answers and gateway events. */
export interface ChatState {
  me: User | null;
  connection: GatewayState;
  servers: Record<string, ServerInfo>;
  /** Server ids in the order they were joined. */
  serverOrder: string[];
  /** Every channel: server channels and DMs. */
  channels: Record<string, Channel>;
  dmIds: string[];
  friends: Record<string, UserRef>;
  incoming: FriendRequest[];
  outgoing: FriendRequest[];
  presence: Record<string, PresenceStatus>;
  /** Member lists, per server, once fetched. */
  members: Record<string, Member[]>;
  /** Everyone we have seen a name for (authors, friends, members, DM recipients). */
  users: Record<string, UserRef>;
  messages: Record<string, ChannelMessages>;
  /** channelId -> userId -> time (ms) until which they count as typing. */
  typing: Record<string, Record<string, number>>;
  /** Voice channelId -> the users in it. */
  voice: Record<string, string[]>;
  /** Calls ringing or under way, by call id. */
  calls: Record<string, CallInfo>;
}

export type ChatStore = StoreApi<ChatState>;

export function initialChatState(): ChatState {
  return {
    me: null,
    connection: 'idle',
    servers: {},
    serverOrder: [],
    channels: {},
    dmIds: [],
    friends: {},
    incoming: [],
    outgoing: [],
    presence: {},
    members: {},
    users: {},
    messages: {},
    typing: {},
    voice: {},
    calls: {},
  };
}

export function createChatStore(): ChatStore {
  return createStore<ChatState>(() => initialChatState());
}

/** Adds or replaces a server and its channels. */
export function withServer(state: ChatState, server: Server): Partial<ChatState> {
  const channels = { ...state.channels };
  const previous = state.servers[server.id];
  for (const id of previous?.channelIds ?? []) delete channels[id];
  for (const c of server.channels) channels[c.id] = c;
  const info: ServerInfo = {
    id: server.id,
    name: server.name,
    ownerId: server.ownerId,
    myPermissions: server.myPermissions,
    channelIds: server.channels.map((c) => c.id),
  };
  return {
    servers: { ...state.servers, [server.id]: info },
    serverOrder: state.serverOrder.includes(server.id)
      ? state.serverOrder
      : [...state.serverOrder, server.id],
    channels,
  };
}

export function withoutServer(state: ChatState, serverId: string): Partial<ChatState> {
  const server = state.servers[serverId];
  if (!server) return {};
  const servers = { ...state.servers };
  delete servers[serverId];
  const channels = { ...state.channels };
  const messages = { ...state.messages };
  for (const id of server.channelIds) {
    delete channels[id];
    delete messages[id];
  }
  const members = { ...state.members };
  delete members[serverId];
  return {
    servers,
    channels,
    messages,
    members,
    serverOrder: state.serverOrder.filter((id) => id !== serverId),
  };
}

export function withDm(state: ChatState, dm: Channel): Partial<ChatState> {
  return {
    channels: { ...state.channels, [dm.id]: dm },
    dmIds: state.dmIds.includes(dm.id) ? state.dmIds : [...state.dmIds, dm.id],
    users: withUsers(state.users, dm.recipients ?? []),
  };
}

export function withUsers(users: Record<string, UserRef>, list: readonly UserRef[]): Record<string, UserRef> {
  let next = users;
  for (const u of list) {
    if (next[u.id]?.username === u.username) continue;
    if (next === users) next = { ...users };
    next[u.id] = { id: u.id, username: u.username };
  }
  return next;
}

/**
 * Replaces everything `ready` describes (servers, DMs, friends, presence); keeps loaded
 * messages of channels that still exist, so a re-identify can catch up rather than start over.
 */
export function applyReady(state: ChatState, ready: ReadyData): ChatState {
  let next: ChatState = {
    ...state,
    me: ready.user,
    servers: {},
    serverOrder: [],
    channels: {},
    dmIds: [],
    members: {},
    users: withUsers(state.users, [ready.user]),
  };
  for (const s of ready.servers) next = { ...next, ...withServer(next, s) };
  for (const dm of ready.dms) next = { ...next, ...withDm(next, dm) };
  const friends = ready.friends;
  next.friends = Object.fromEntries(friends.friends.map((f) => [f.id, f]));
  next.incoming = friends.incoming;
  next.outgoing = friends.outgoing;
  next.users = withUsers(next.users, [
    ...friends.friends,
    ...friends.incoming.map((r) => r.from),
    ...friends.outgoing.map((r) => r.to),
  ]);
  // The server lists others only; whoever holds this connection is online themselves.
  next.presence = {
    ...Object.fromEntries(ready.presences.map((p) => [p.userId, p.status])),
    [ready.user.id]: 'online',
  };
  next.messages = Object.fromEntries(Object.entries(state.messages).filter(([id]) => next.channels[id]));
  next.typing = {};
  next.voice = {};
  next.calls = {};
  for (const v of ready.voiceStates) next.voice[v.channelId] = [...(next.voice[v.channelId] ?? []), v.userId];
  return next;
}

/** Forgets everything (logout): the store is as before the first `ready`. */
export function resetChatStore(store: ChatStore): void {
  store.setState(initialChatState(), true);
}
