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
}

/** Close every socket opened with these login sessions (logout, revocation). */
export interface CloseSessionsMessage {
  kind: 'close_sessions';
  sessionIds: readonly string[];
  code: number;
  reason: string;
}

export type BusMessage = DispatchMessage | CloseSessionsMessage;

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
