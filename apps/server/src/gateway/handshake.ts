import { CLOSE_CODES, IdentifyOpSchema, ResumeOpSchema } from '@decentra/protocol';
import type { Authenticate } from '../kernel/actor.js';
import type { Connection } from './connection.js';
import type { GatewayMetrics } from './gateway-metrics.js';
import type { ReadyBuilder } from './ready.js';
import type { SessionHandover } from './session-handover.js';
import type { SessionStore } from './sessions.js';
import { type Subscriptions, topicKey } from './subscriptions.js';

/** Close code for a socket whose session was resumed on another socket (docs/api.md). */
const SESSION_SUPERSEDED_CLOSE_CODE = CLOSE_CODES.sessionSuperseded;

export interface HandshakeDeps {
  authenticate: Authenticate;
  ready: ReadyBuilder;
  sessions: SessionStore;
  subscriptions: Subscriptions;
  /** Resume of a session another instance holds. */
  handover: SessionHandover;
  now: () => number;
  metrics: GatewayMetrics;
}

/** `identify` (a new session, answered by `ready`) and `resume` (an old one, replayed). */
export class Handshake {
  constructor(private readonly deps: HandshakeDeps) {}

  async identify(conn: Connection, raw: unknown, ref: string | undefined): Promise<void> {
    const parsed = IdentifyOpSchema.safeParse(raw);
    if (!parsed.success) {
      conn.fail(ref, 'invalid_input', 'identify takes {"token"?: string}.');
      return;
    }
    if (conn.identified) {
      conn.fail(ref, 'invalid_input', 'Already identified.');
      return;
    }
    const { sessions, subscriptions, ready } = this.deps;
    const token = parsed.data.d.token ?? conn.cookieToken;
    const auth = token ? await this.deps.authenticate(token) : undefined;
    if (!auth) {
      conn.close(CLOSE_CODES.unauthorized, 'invalid token');
      return;
    }
    if (!conn.open) return;
    // Indexed before ready is built, so events that happen meanwhile are buffered, then sent after it.
    const session = sessions.create(auth);
    conn.stopIdentifyTimer();
    const built = await ready.build(auth, session.sessionId).catch((err: unknown) => {
      sessions.destroy(session, 'closed');
      throw err;
    });
    if (session.destroyed) {
      conn.close(CLOSE_CODES.sessionRevoked, 'session revoked');
      return;
    }
    if (!conn.open) {
      sessions.destroy(session, 'closed');
      return;
    }
    for (const topic of built.topics) subscriptions.subscribe(session, topicKey(topic));
    conn.sendFrame({ op: 'ready', d: built.data });
    session.attach(conn, 0);
  }

  /**
   * Re-attaches a session to this socket and replays what it missed, or says `invalid_session`
   * when it cannot: unknown or ended session, token of another login, expired, events dropped.
   */
  async resume(conn: Connection, raw: unknown, ref: string | undefined): Promise<void> {
    const parsed = ResumeOpSchema.safeParse(raw);
    if (!parsed.success) {
      conn.fail(
        ref,
        'invalid_input',
        'resume takes {"token"?: string, "sessionId": string, "seq": integer}.',
      );
      return;
    }
    if (conn.identified) {
      conn.fail(ref, 'invalid_input', 'Already identified.');
      return;
    }
    const { sessions } = this.deps;
    const { sessionId, seq } = parsed.data.d;
    const token = parsed.data.d.token ?? conn.cookieToken;
    const auth = token ? await this.deps.authenticate(token) : undefined;
    if (!conn.open) return;
    const session = sessions.get(sessionId);
    if (!session && auth) {
      // Not held here: another instance may hold it (several instances), else it is unknown.
      const outcome = await this.deps.handover.resume(conn, auth, sessionId, seq);
      this.deps.metrics.resume(outcome);
      if (outcome === 'invalid_session' && conn.open) conn.sendFrame({ op: 'invalid_session' });
      return;
    }
    if (
      !session ||
      !auth ||
      auth.actor.id.toString() !== session.userId ||
      auth.sessionId.toString() !== session.authSessionId
    ) {
      this.deps.metrics.resume('invalid_session');
      conn.sendFrame({ op: 'invalid_session' });
      return;
    }
    if (!sessions.canResume(session, seq, this.deps.now())) {
      // Its client has just been told to start afresh; a detached session is of no more use.
      if (session.detached) sessions.destroy(session, 'expired');
      this.deps.metrics.resume('too_late');
      conn.sendFrame({ op: 'invalid_session' });
      return;
    }
    session.auth = auth;
    conn.stopIdentifyTimer();
    const superseded = session.attach(conn, seq);
    superseded?.close(SESSION_SUPERSEDED_CLOSE_CODE, 'session resumed on another socket');
    conn.sendFrame({ op: 'resumed' });
    sessions.resumed(session);
    this.deps.metrics.resume('resumed');
  }
}
