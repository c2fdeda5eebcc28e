import type { AuthContext } from '../kernel/actor.js';
import type { Connection } from './connection.js';
import { ReplayBuffer } from './replay-buffer.js';

/**
 * One gateway session: begun by identify, it outlives its socket so that a client whose
 * connection dropped can resume it and be sent what it missed. It sits in the subscription
 * indexes whether or not a socket is attached, so events keep being numbered and buffered.
 */
export class GatewaySession {
  readonly userId: string;
  /** The login session (token) it authenticated with; logout ends it by that. */
  readonly authSessionId: string;
  /** Subscription topic keys; kept by `Subscriptions`. */
  readonly topics = new Set<string>();
  auth: AuthContext;
  conn: Connection | undefined;
  /** When its socket dropped; undefined while one is attached or before the first attach. */
  detachedAt: number | undefined;
  destroyed = false;
  private readonly buffer: ReplayBuffer;
  /** The last seq sent when the socket dropped: no client can have seen more. */
  private seqAtDetach = 0;

  constructor(
    readonly sessionId: string,
    auth: AuthContext,
    replayBufferSize: number,
  ) {
    this.auth = auth;
    this.userId = auth.actor.id.toString();
    this.authSessionId = auth.sessionId.toString();
    this.buffer = new ReplayBuffer(replayBufferSize);
  }

  get seq(): number {
    return this.buffer.lastSeq;
  }

  get detached(): boolean {
    return this.detachedAt !== undefined;
  }

  /**
   * Numbers and keeps one event and sends it to the socket, if one is attached. Returns false
   * when the session, detached, can no longer be resumed: events its client never saw were dropped.
   */
  push(encodedTD: string): boolean {
    const seq = this.buffer.push(encodedTD);
    if (this.conn) {
      this.conn.sendEncodedEvent(seq, encodedTD);
      return true;
    }
    return !this.detached || this.buffer.covers(this.seqAtDetach);
  }

  /** Whether every event after `seq` is still held (and `seq` was ever sent). */
  holds(seq: number): boolean {
    return this.buffer.covers(seq);
  }

  /** The held events after `seq`, oldest first: what another instance needs to take the session over. */
  heldAfter(seq: number): [number, string][] {
    return [...this.buffer.after(seq)];
  }

  /**
   * For a session moved here from another instance, before any event is pushed: numbering
   * continues after `seq`, the last event the client saw.
   */
  continueAfter(seq: number): void {
    if (this.buffer.lastSeq !== 0) throw new Error('continueAfter on a session that numbered events');
    this.buffer.lastSeq = seq;
  }

  /** Whether a resume from `seq` (the last event the client saw) can be served. */
  canResume(seq: number, now: number, ttlMs: number): boolean {
    return !this.destroyed && !this.expired(now, ttlMs) && this.buffer.covers(seq);
  }

  expired(now: number, ttlMs: number): boolean {
    return this.detachedAt !== undefined && now - this.detachedAt > ttlMs;
  }

  /**
   * Attaches a socket and sends it every held event after `afterSeq`, in order. Returns the socket
   * it replaces, if another was still attached: the caller closes that one.
   */
  attach(conn: Connection, afterSeq: number): Connection | undefined {
    const previous = this.conn;
    if (previous) previous.session = undefined;
    this.conn = conn;
    this.detachedAt = undefined;
    conn.session = this;
    for (const [seq, encodedTD] of this.buffer.after(afterSeq)) conn.sendEncodedEvent(seq, encodedTD, false);
    return previous === conn ? undefined : previous;
  }

  /** The socket dropped: keep buffering for a resume. A no-op for a socket already replaced. */
  detach(conn: Connection, now: number): void {
    if (this.conn !== conn) return;
    this.conn = undefined;
    conn.session = undefined;
    this.detachedAt = now;
    this.seqAtDetach = this.buffer.lastSeq;
  }

  /** Ends the session for good; returns the socket that was attached, for the caller to close. */
  destroy(): Connection | undefined {
    this.destroyed = true;
    const conn = this.conn;
    this.conn = undefined;
    if (conn) conn.session = undefined;
    return conn;
  }
}
