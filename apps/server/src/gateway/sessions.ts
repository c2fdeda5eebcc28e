import { randomUUID } from 'node:crypto';
import type { Logger } from '../infra/logger.js';
import type { AuthContext } from '../kernel/actor.js';
import type { DispatchMessage, PresenceMessage } from '../kernel/events.js';
import type { SessionsChangedHook, SessionsChangedReason } from '../kernel/sessions.js';
import type { Connection } from './connection.js';
import { type GatewayMetrics, NO_GATEWAY_METRICS } from './gateway-metrics.js';
import { presenceFrames } from './presence-frames.js';
import { GatewaySession } from './session.js';
import { MemorySessionDirectory, type SessionDirectory } from './session-directory.js';
import type { Subscriptions } from './subscriptions.js';

export interface SessionLimits {
  replayBufferSize: number;
  sessionTtlMs: number;
  maxSessionsPerUser: number;
}

/** A directory record outlives the session's time to live a little, for a resume at its very end. */
const RECORD_SLACK_MS = 60_000;

/**
 * Every gateway session of this instance, by id, and their life: begin, deliver, expire, end.
 * With several instances the directory says which instance holds which session.
 */
export class SessionStore {
  private readonly byId = new Map<string, GatewaySession>();
  private readonly hooks = new Set<SessionsChangedHook>();

  constructor(
    private readonly subscriptions: Subscriptions,
    private readonly limits: SessionLimits,
    private readonly log: Logger,
    private readonly metrics: GatewayMetrics = NO_GATEWAY_METRICS,
    readonly directory: SessionDirectory = new MemorySessionDirectory(),
  ) {}

  watch(hook: SessionsChangedHook): () => void {
    this.hooks.add(hook);
    return () => this.hooks.delete(hook);
  }

  get size(): number {
    return this.byId.size;
  }

  get(sessionId: string): GatewaySession | undefined {
    return this.byId.get(sessionId);
  }

  /** Begins a session; it is indexed (and buffers events) at once, before any socket attaches. */
  create(auth: AuthContext): GatewaySession {
    this.evictDetached(auth.actor.id.toString());
    const session = new GatewaySession(randomUUID(), auth, this.limits.replayBufferSize);
    this.byId.set(session.sessionId, session);
    this.subscriptions.add(session);
    this.record(session);
    this.changed(session, 'identify');
    return session;
  }

  /** Makes a session another instance held this instance's own (its topics and buffer already set). */
  adopt(session: GatewaySession): void {
    this.evictDetached(session.userId);
    this.byId.set(session.sessionId, session);
    this.subscriptions.add(session);
    for (const topic of session.topics) this.subscriptions.subscribe(session, topic);
    this.record(session);
  }

  /**
   * Lets go of a session another instance has claimed: it lives on there, so it is not forgotten.
   * Returns the socket that was attached, for the caller to close; hooks hear `moved`.
   */
  release(session: GatewaySession): Connection | undefined {
    if (session.destroyed) return undefined;
    const conn = session.destroy();
    this.byId.delete(session.sessionId);
    this.subscriptions.remove(session);
    this.changed(session, 'moved');
    return conn;
  }

  /** Ends a session for good; returns the socket that was attached, for the caller to close. */
  destroy(session: GatewaySession, reason: 'closed' | 'expired'): Connection | undefined {
    if (session.destroyed) return undefined;
    const conn = session.destroy();
    this.byId.delete(session.sessionId);
    this.subscriptions.remove(session);
    this.forget([session.sessionId]);
    this.changed(session, reason);
    return conn;
  }

  /** Ends every session and returns their sockets, for the caller to close. */
  destroyAll(): Connection[] {
    const open: Connection[] = [];
    for (const session of [...this.byId.values()]) {
      const conn = this.destroy(session, 'expired');
      if (conn) open.push(conn);
    }
    return open;
  }

  /** A resume (here, or of a session moved here). */
  resumed(session: GatewaySession): void {
    this.changed(session, 'resume');
  }

  /** The session's socket dropped without a clean close; it stays resumable for a while. */
  detached(session: GatewaySession): void {
    // Refreshed: a record written at identify may be near its end after a long-lived socket.
    this.record(session);
    this.changed(session, 'detached');
  }

  canResume(session: GatewaySession, seq: number, now: number): boolean {
    return session.canResume(seq, now, this.limits.sessionTtlMs);
  }

  /** Numbers and sends (or buffers) one event for its audience, encoding `{t, d}` once. */
  dispatch(message: DispatchMessage): void {
    let encoded: string | undefined;
    let copies = 0;
    const overrun: GatewaySession[] = [];
    for (const session of this.subscriptions.resolve(message.to)) {
      if (message.except !== undefined && session.userId === message.except) continue;
      encoded ??= JSON.stringify({ t: message.t, d: message.d });
      copies++;
      if (!session.push(encoded)) overrun.push(session);
    }
    this.metrics.dispatched(copies);
    for (const session of overrun) this.destroy(session, 'expired');
  }

  /** Sends each recipient here of a presence announcement its changes, in one event. */
  dispatchPresence(message: PresenceMessage): void {
    const frames = presenceFrames(message, (userId) => this.subscriptions.sessionsOfUser(userId).size > 0);
    let copies = 0;
    const overrun: GatewaySession[] = [];
    for (const [userId, encoded] of frames) {
      for (const session of this.subscriptions.sessionsOfUser(userId)) {
        copies++;
        if (!session.push(encoded)) overrun.push(session);
      }
    }
    this.metrics.dispatched(copies);
    for (const session of overrun) this.destroy(session, 'expired');
  }

  /** Ends detached sessions past their time to live. */
  sweep(now: number): void {
    for (const session of this.byId.values()) {
      if (session.expired(now, this.limits.sessionTtlMs)) this.destroy(session, 'expired');
    }
  }

  /**
   * Forgets everything without telling the hooks (the gateway is shutting down). The directory
   * forgets them too: nobody holds them any more, so a resume elsewhere is refused at once.
   */
  async clear(): Promise<void> {
    for (const session of this.byId.values()) {
      session.destroy();
      this.subscriptions.remove(session);
    }
    const ids = [...this.byId.keys()];
    this.byId.clear();
    await this.directory
      .forget(ids)
      .catch((err: unknown) => this.log.warn({ err }, 'session directory: forget failed'));
  }

  private record(session: GatewaySession): void {
    const record = {
      userId: session.userId,
      authSessionId: session.authSessionId,
      owner: this.directory.instanceId,
    };
    this.directory.record(session.sessionId, record, this.limits.sessionTtlMs + RECORD_SLACK_MS);
  }

  private forget(sessionIds: string[]): void {
    this.directory
      .forget(sessionIds)
      .catch((err: unknown) => this.log.warn({ err }, 'session directory: forget failed'));
  }

  /** Keeps a user's sessions bounded: past the limit, the longest-detached ones go first. */
  private evictDetached(userId: string): void {
    const sessions = this.subscriptions.sessionsOfUser(userId);
    if (sessions.size < this.limits.maxSessionsPerUser) return;
    const detached = [...sessions]
      .filter((s) => s.detachedAt !== undefined)
      .sort((a, b) => (a.detachedAt ?? 0) - (b.detachedAt ?? 0));
    let excess = sessions.size - this.limits.maxSessionsPerUser + 1;
    for (const session of detached) {
      if (excess-- <= 0) break;
      this.destroy(session, 'expired');
    }
  }

  private changed(changed: GatewaySession, reason: SessionsChangedReason): void {
    if (this.hooks.size === 0) return;
    const userId = changed.userId;
    const sessions = this.subscriptions.sessionsOfUser(userId);
    let attached = 0;
    // A session still being identified has its socket too, it is just not attached yet.
    for (const session of sessions) if (!session.detached) attached++;
    const change = {
      userId: BigInt(userId),
      sessions: sessions.size,
      reason,
      attached,
      sessionId: changed.sessionId,
    };
    for (const hook of this.hooks) {
      try {
        hook(change);
      } catch (err) {
        this.log.error({ err, reason }, 'sessions-changed hook failed');
      }
    }
  }
}
