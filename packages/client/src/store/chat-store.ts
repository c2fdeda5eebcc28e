import type {
  Call,
  Channel,
  FriendRequest,
  Member,
  NotificationOverride,
  Permissions,
  PresenceStatus,
  ReadState,
  ReadyData,
  Server,
  User,
  UserRef,
  UserSettings,
} from '@decentra/protocol';
import { DEFAULT_USER_SETTINGS } from '@decentra/protocol';
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
  /** The icon's hash (`avatarUrl(icon)`); absent: none. */
  icon?: string;
}

export type { PresenceStatus };

/** Someone in a voice channel, with what they hear and say. */
export interface VoiceMember {
  userId: string;
  muted: boolean;
  deafened: boolean;
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
  /** Voice channelId -> the people in it, in the order they joined. */
  voice: Record<string, VoiceMember[]>;
  /** Calls ringing or under way that the user is in, by call id. */
  calls: Record<string, Call>;
  /** My settings (notifications, sounds), from `ready` and my own saves. */
  settings: UserSettings;
  /**
   * Where I stand in each channel with something unread (or read since `ready`), by channel id;
   * a channel not listed is read.
   */
  readStates: Record<string, ReadState>;
  /** My notification rules, by server, channel or DM id. */
  notificationOverrides: Record<string, NotificationOverride>;
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
    settings: DEFAULT_USER_SETTINGS,
    readStates: {},
    notificationOverrides: {},
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
    ...(server.icon ? { icon: server.icon } : {}),
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
  const voice = { ...state.voice };
  const readStates = { ...state.readStates };
  for (const id of server.channelIds) {
    delete voice[id];
    delete readStates[id];
  }
  return {
    servers,
    channels,
    messages,
    members,
    voice,
    readStates,
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

/**
 * Adds or updates people. `fresh` refs were read now (ready, REST answers, `user_ref_update`) and
 * replace what is held, avatar included; `event` refs may be older than what is held (a message's
 * author as their socket knew them, a typist's name) and keep a held avatar.
 */
export function withUsers(
  users: Record<string, UserRef>,
  list: readonly UserRef[],
  source: 'fresh' | 'event' = 'fresh',
): Record<string, UserRef> {
  let next = users;
  for (const u of list) {
    const held = next[u.id];
    const avatar = source === 'event' && held ? held.avatar : u.avatar;
    if (held && held.username === u.username && held.avatar === avatar) continue;
    if (next === users) next = { ...users };
    next[u.id] = avatar ? { id: u.id, username: u.username, avatar } : { id: u.id, username: u.username };
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
  next.settings = ready.settings;
  next.readStates = Object.fromEntries(ready.readStates.map((r) => [r.channelId, r]));
  next.notificationOverrides = Object.fromEntries(ready.notificationOverrides.map((o) => [o.targetId, o]));
  next.voice = {};
  next.calls = {};
  for (const v of ready.voiceStates) next.voice = withVoiceState(next.voice, v);
  for (const c of ready.calls) next.calls[c.callId] = c;
  next.users = withUsers(
    next.users,
    ready.calls.flatMap((c) => [c.caller, c.callee]),
  );
  return next;
}

/** One `voice_state_update` applied: the person is listed under their channel, or no longer. */
export function withVoiceState(
  voice: Record<string, VoiceMember[]>,
  v: { channelId: string; userId: string; muted: boolean; deafened: boolean; present: boolean },
): Record<string, VoiceMember[]> {
  const list = voice[v.channelId] ?? [];
  const at = list.findIndex((m) => m.userId === v.userId);
  const member: VoiceMember = { userId: v.userId, muted: v.muted, deafened: v.deafened };
  let next: VoiceMember[];
  if (!v.present) next = list.filter((m) => m.userId !== v.userId);
  else if (at >= 0) next = list.map((m, i) => (i === at ? member : m));
  else next = [...list, member];
  return { ...voice, [v.channelId]: next };
}

/** Forgets everything (logout): the store is as before the first `ready`. */
export function resetChatStore(store: ChatStore): void {
  store.setState(initialChatState(), true);
}
