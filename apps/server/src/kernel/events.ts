import type { EventData, EventName, Presence } from '@decentra/protocol';

/** Who may see an event. Resolved against each instance's in-memory subscription indexes. */
export type Audience =
  | { kind: 'users'; userIds: readonly string[] }
  | { kind: 'server'; serverId: string }
  | { kind: 'channel'; channelId: string }
  /** One gateway session (one tab): the one in a voice channel or a call, for its WebRTC signals. */
  | { kind: 'session'; sessionId: string };

export type Topic = { kind: 'server'; serverId: string } | { kind: 'channel'; channelId: string };

/** A fact for clients, typed by the contract's event map: `{op: "event", t, d, seq}` to its audience. */
export interface DispatchOf<T extends EventName> {
  kind: 'dispatch';
  t: T;
  d: EventData<T>;
  to: Audience;
  /** A user in the audience who must not receive it (the one typing hears no own typing_start). */
  except?: string;
}
export type DispatchMessage = { [T in EventName]: DispatchOf<T> }[EventName];

/** Close every socket opened with these login sessions (logout, revocation). */
export interface CloseSessionsMessage {
  kind: 'close_sessions';
  sessionIds: readonly string[];
  code: number;
  reason: string;
}

/**
 * Cached authentication to forget on every instance: these login sessions were revoked, or these
 * users' rows changed (password, disable, deletion), so a token must be looked up again.
 */
export interface SessionRevokedMessage {
  kind: 'session_revoked';
  sessionIds: readonly string[];
  userIds: readonly string[];
}

/**
 * Membership changes for the in-memory indexes: every socket of these users starts (or stops)
 * receiving a topic's events. Carried in order with the events around them, so a joining member
 * gets the join's own events and a removed one gets nothing after its removal, on every instance.
 */
export interface SubscriptionMessage {
  kind: 'subscribe' | 'unsubscribe';
  userIds: readonly string[];
  topic: Topic;
}

/** A server or channel is gone: forget its topic everywhere. */
export interface DropTopicMessage {
  kind: 'drop_topic';
  topic: Topic;
}

/**
 * Local only, never published: the bus lost its connection for a while and messages may have been
 * missed. What is kept from bus messages (the send path's cache) is dropped and read again.
 */
export interface GapMessage {
  kind: 'gap';
}

/**
 * Gateway-internal, with several instances: a client resumes here a session another instance
 * holds. Carried in order with the events, so the holder stops numbering the session's events at
 * the very message where the claimant starts (no gap, no duplicate).
 */
export interface SessionClaimMessage {
  kind: 'session_claim';
  sessionId: string;
  /** One per attempt: the answer names it, and a late answer to an abandoned claim is ignored. */
  claimId: string;
  /** The claiming instance. */
  by: string;
  /** The last seq the client saw: the holder hands over what came after it. */
  afterSeq: number;
}

/** The holder's answer: the session's last seq and topics at the claim, its replay in Redis. */
export interface SessionReleaseMessage {
  kind: 'session_release';
  sessionId: string;
  claimId: string;
  /** False when the holder no longer has every event after `afterSeq` (the client starts afresh). */
  ok: boolean;
  seq: number;
  topics: readonly string[];
}

/**
 * Presence changes announced together (one drain of a reconnect storm): each recipient gets the
 * changes addressed to it in one frame, `presence_update` for one and `presence_batch` for
 * several (gateway/presence-frames.ts). One dispatch per change would be a frame per pair of
 * co-members: a million for a thousand people of one server coming back at once.
 */
export interface PresenceMessage {
  kind: 'presence';
  /** In the order they happened; each with the users who may see it. */
  changes: ReadonlyArray<{ d: Presence; to: readonly string[] }>;
}

export type BusMessage =
  | DispatchMessage
  | PresenceMessage
  | CloseSessionsMessage
  | SessionRevokedMessage
  | SubscriptionMessage
  | DropTopicMessage
  | GapMessage
  | SessionClaimMessage
  | SessionReleaseMessage;

/** Where the events of a committed command go (the bus). */
export interface EventPublisher {
  publish(messages: readonly BusMessage[]): Promise<void>;
}

export function dispatch<T extends EventName>(
  t: T,
  d: EventData<T>,
  to: Audience,
  except?: bigint,
): DispatchMessage {
  const message: DispatchOf<T> = { kind: 'dispatch', t, d, to };
  if (except !== undefined) message.except = except.toString();
  return message as DispatchMessage;
}

/** These users' sockets. */
export const toUsers = (...userIds: readonly bigint[]): Audience => ({
  kind: 'users',
  userIds: userIds.map(String),
});

/** One gateway session's socket (the tab in voice or in the call), not the user's other tabs. */
export const toSession = (sessionId: string): Audience => ({ kind: 'session', sessionId });

/** A server as an event audience and as a subscription topic: the same shape serves both. */
export const serverScope = (serverId: bigint) => ({ kind: 'server', serverId: serverId.toString() }) as const;

export const subscribe = (userIds: readonly bigint[], topic: Topic): SubscriptionMessage => ({
  kind: 'subscribe',
  userIds: userIds.map(String),
  topic,
});

export const unsubscribe = (userIds: readonly bigint[], topic: Topic): SubscriptionMessage => ({
  kind: 'unsubscribe',
  userIds: userIds.map(String),
  topic,
});

export const dropTopic = (topic: Topic): DropTopicMessage => ({ kind: 'drop_topic', topic });

export const closeSessions = (
  sessionIds: readonly bigint[],
  code: number,
  reason: string,
): CloseSessionsMessage => ({
  kind: 'close_sessions',
  sessionIds: sessionIds.map(String),
  code,
  reason,
});

export const sessionRevoked = (revoked: {
  sessionIds?: readonly bigint[];
  userIds?: readonly bigint[];
}): SessionRevokedMessage => ({
  kind: 'session_revoked',
  sessionIds: (revoked.sessionIds ?? []).map(String),
  userIds: (revoked.userIds ?? []).map(String),
});
