/** Who may see an event. Resolved against each instance's in-memory subscription indexes. */
export type Audience =
  | { kind: 'users'; userIds: readonly string[] }
  | { kind: 'server'; serverId: string }
  | { kind: 'channel'; channelId: string };

/** A fact for clients: delivered as `{op: "event", t, d, seq}` to every socket in the audience. */
export interface DispatchMessage {
  kind: 'dispatch';
  t: string;
  d: unknown;
  to: Audience;
  /** A user in the audience who must not receive it (the one typing hears no own typing_start). */
  except?: string;
}

/** Close every socket opened with these login sessions (logout, revocation). */
export interface CloseSessionsMessage {
  kind: 'close_sessions';
  sessionIds: readonly string[];
  code: number;
  reason: string;
}

/**
 * Membership changes for the in-memory indexes: every socket of these users starts (or stops)
 * receiving a topic's events (`server:<id>` or `channel:<id>`). Carried on the bus, in order with
 * the events around them, so a joining member gets the join's own events and a removed one
 * gets nothing after its removal, on every instance.
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

export type Topic = { kind: 'server'; serverId: string } | { kind: 'channel'; channelId: string };

export type BusMessage =
  | DispatchMessage
  | CloseSessionsMessage
  | SubscriptionMessage
  | DropTopicMessage
  | GapMessage;

export type BusHandler = (message: BusMessage) => void;

/**
 * Carries events from the service that produced them to every instance's gateway.
 * In-process for one instance; a Redis implementation fills the same shape for several.
 */
export interface Bus {
  publish(messages: readonly BusMessage[]): Promise<void>;
  subscribe(handler: BusHandler): () => void;
  close(): Promise<void>;
}

export const dispatch = (t: string, d: unknown, to: Audience): DispatchMessage => ({
  kind: 'dispatch',
  t,
  d,
  to,
});

export const subscribe = (userIds: readonly string[], topic: Topic): SubscriptionMessage => ({
  kind: 'subscribe',
  userIds,
  topic,
});
export const unsubscribe = (userIds: readonly string[], topic: Topic): SubscriptionMessage => ({
  kind: 'unsubscribe',
  userIds,
  topic,
});
