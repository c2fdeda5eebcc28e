import { randomUUID } from 'node:crypto';
import { CLOSE_CODES } from '@decentra/protocol';
import type { Logger } from '../infra/logger.js';
import type { AuthContext } from '../kernel/actor.js';
import type { Clock, TimerHandle } from '../kernel/clock.js';
import type { Audience, BusMessage, SessionClaimMessage, SessionReleaseMessage } from '../kernel/events.js';
import type { Connection } from './connection.js';
import { presenceFrames } from './presence-frames.js';
import { GatewaySession } from './session.js';
import type { ReplayEntry } from './session-directory.js';
import type { SessionStore } from './sessions.js';
import { channelTopic, serverTopic, topicKey } from './subscriptions.js';

/** How long a claimant waits for the holder's answer before telling its client to start afresh. */
export const DEFAULT_HANDOVER_TIMEOUT_MS = 3_000;

/** RFC 6455 "service restart": reconnect. */
const SERVICE_RESTART = 1012;

interface Claim {
  message: SessionClaimMessage;
  conn: Connection;
  auth: AuthContext;
  /** Set once our own claim came back on the bus: from there on, every bus message is kept. */
  heard: boolean;
  /** What the bus carried after the claim, in order, to be applied to the session before it goes live. */
  backlog: BusMessage[];
  release?: SessionReleaseMessage;
  timer: TimerHandle;
  done: (outcome: 'resumed' | 'invalid_session') => void;
}

/**
 * Resume on another instance. The claimant puts `session_claim` on the bus; every instance sees
 * the bus in one order, so the holder stops numbering the session's events at exactly the message
 * where the claimant starts keeping them. The holder lets the session go (closing a socket still
 * attached with 4010), writes the events after the client's seq to Redis and answers
 * `session_release` with its last seq and topics; the claimant applies what the bus carried since
 * its claim (events numbered on from that seq, subscription changes, revocations), then the session
 * is indexed here and the client gets the replay and `resumed`. No per-event cost: events go to
 * Redis only when a session moves, and only the ones its client missed.
 */
export class SessionHandover {
  private readonly claims = new Map<string, Claim>();

  constructor(
    private readonly deps: {
      sessions: SessionStore;
      clock: Clock;
      log: Logger;
      replayBufferSize: number;
      timeoutMs: number;
    },
  ) {}

  /** Claims a session this instance does not hold; resolves once the client was answered. */
  async resume(
    conn: Connection,
    auth: AuthContext,
    sessionId: string,
    afterSeq: number,
  ): Promise<'resumed' | 'invalid_session'> {
    const { directory } = this.deps.sessions;
    if (!directory.shared) return 'invalid_session';
    try {
      const record = await directory.lookup(sessionId);
      if (
        !record ||
        record.owner === directory.instanceId ||
        record.userId !== auth.actor.id.toString() ||
        record.authSessionId !== auth.sessionId.toString() ||
        !(await directory.isLive(record.owner)) ||
        !conn.open
      ) {
        return 'invalid_session';
      }
    } catch (err) {
      // Redis away: the client starts afresh, which needs only the database.
      this.deps.log.warn({ err }, 'session handover: directory unreachable');
      return 'invalid_session';
    }
    const message: SessionClaimMessage = {
      kind: 'session_claim',
      sessionId,
      claimId: randomUUID(),
      by: directory.instanceId,
      afterSeq,
    };
    return new Promise((resolve) => {
      const claim: Claim = {
        message,
        conn,
        auth,
        heard: false,
        backlog: [],
        timer: this.deps.clock.setTimeout(() => this.finish(claim, 'invalid_session'), this.deps.timeoutMs),
        done: resolve,
      };
      this.claims.set(message.claimId, claim);
      directory.publish(message).catch((err: unknown) => {
        this.deps.log.warn({ err }, 'session handover: claim not published');
        this.finish(claim, 'invalid_session');
      });
    });
  }

  /** Every bus message, before the fan-out delivers it. */
  observe(message: BusMessage): void {
    if (message.kind === 'session_claim') {
      const own = this.claims.get(message.claimId);
      if (own) own.heard = true;
      else this.release(message);
      return;
    }
    if (message.kind === 'session_release') {
      const claim = this.claims.get(message.claimId);
      if (!claim || claim.release) return;
      claim.release = message;
      if (!message.ok) {
        this.finish(claim, 'invalid_session');
        return;
      }
      this.deps.sessions.directory.takeReplay(message.claimId).then(
        (entries) => this.goLive(claim, entries),
        (err: unknown) => {
          this.deps.log.warn({ err }, 'session handover: replay unreadable');
          this.finish(claim, 'invalid_session');
        },
      );
      return;
    }
    for (const claim of this.claims.values()) if (claim.heard) claim.backlog.push(message);
  }

  /** The holder's side: let the session go at this point of the bus, and hand over what it holds. */
  private release(claim: SessionClaimMessage): void {
    const { sessions, log } = this.deps;
    const session = sessions.get(claim.sessionId);
    if (!session) return;
    const ok = session.holds(claim.afterSeq);
    const entries = ok ? session.heldAfter(claim.afterSeq) : [];
    const answer: SessionReleaseMessage = {
      kind: 'session_release',
      sessionId: session.sessionId,
      claimId: claim.claimId,
      ok,
      seq: session.seq,
      topics: [...session.topics],
    };
    // The claimant's client is told to start afresh when not ok: the session is of no more use.
    const conn = ok ? sessions.release(session) : sessions.destroy(session, 'expired');
    conn?.close(CLOSE_CODES.sessionSuperseded, 'session resumed on another instance');
    sessions.directory
      .writeReplay(claim.claimId, entries)
      .then(() => sessions.directory.publish(answer))
      .catch((err: unknown) => log.warn({ err }, 'session handover: release failed'));
  }

  /** The claimant's side, once the replay is read: apply the backlog, index, attach, replay. */
  private goLive(claim: Claim, entries: ReplayEntry[]): void {
    const release = claim.release;
    if (!release || this.claims.get(claim.message.claimId) !== claim) return;
    const { afterSeq } = claim.message;
    const contiguous = entries.every(([seq], i) => seq === afterSeq + 1 + i);
    if (!contiguous || afterSeq + entries.length !== release.seq || !claim.conn.open) {
      this.finish(claim, 'invalid_session');
      return;
    }
    const session = new GatewaySession(release.sessionId, claim.auth, this.deps.replayBufferSize);
    session.continueAfter(afterSeq);
    for (const [, encoded] of entries) session.push(encoded);
    for (const topic of release.topics) session.topics.add(topic);
    for (const message of claim.backlog) {
      if (!this.apply(session, message)) {
        this.finish(claim, 'invalid_session');
        if (message.kind === 'close_sessions') claim.conn.close(message.code, message.reason);
        if (message.kind === 'gap') claim.conn.close(SERVICE_RESTART, 'events may have been missed');
        return;
      }
    }
    // More happened meanwhile than a buffer holds: the replay would have a hole.
    if (!session.holds(afterSeq)) {
      this.finish(claim, 'invalid_session');
      return;
    }
    const { sessions } = this.deps;
    sessions.adopt(session);
    claim.conn.stopIdentifyTimer();
    session.attach(claim.conn, afterSeq);
    claim.conn.sendFrame({ op: 'resumed' });
    sessions.resumed(session);
    this.finish(claim, 'resumed');
  }

  /** One bus message for a session not yet indexed; false when it ends the session. */
  private apply(session: GatewaySession, message: BusMessage): boolean {
    switch (message.kind) {
      case 'dispatch':
        if (message.except === session.userId || !reaches(session, message.to)) return true;
        return session.push(JSON.stringify({ t: message.t, d: message.d }));
      case 'presence': {
        const encoded = presenceFrames(message, (userId) => userId === session.userId).get(session.userId);
        return encoded === undefined || session.push(encoded);
      }
      case 'subscribe':
        if (message.userIds.includes(session.userId)) session.topics.add(topicKey(message.topic));
        return true;
      case 'unsubscribe':
        if (message.userIds.includes(session.userId)) session.topics.delete(topicKey(message.topic));
        return true;
      case 'drop_topic':
        session.topics.delete(topicKey(message.topic));
        return true;
      case 'close_sessions':
        return !message.sessionIds.includes(session.authSessionId);
      case 'gap':
        return false;
      default:
        return true;
    }
  }

  private finish(claim: Claim, outcome: 'resumed' | 'invalid_session'): void {
    if (this.claims.get(claim.message.claimId) !== claim) return;
    this.claims.delete(claim.message.claimId);
    claim.timer.cancel();
    // The holder let the session go (or may yet): nobody holds it now, so nobody may claim it.
    if (outcome === 'invalid_session') {
      this.deps.sessions.directory
        .forget([claim.message.sessionId])
        .catch((err: unknown) => this.deps.log.warn({ err }, 'session directory: forget failed'));
    }
    claim.done(outcome);
  }
}

function reaches(session: GatewaySession, to: Audience): boolean {
  switch (to.kind) {
    case 'users':
      return to.userIds.includes(session.userId);
    case 'server':
      return session.topics.has(serverTopic(to.serverId));
    case 'channel':
      return session.topics.has(channelTopic(to.channelId));
    case 'session':
      return to.sessionId === session.sessionId;
  }
}
