import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  CLOSE_CODES,
  ClientFrameSchema,
  GATEWAY_LIMITS,
  IdentifyOpSchema,
  ResumeOpSchema,
  SESSION_COOKIE,
} from '@decentra/protocol';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import type { Bus, BusMessage } from '../bus/bus.js';
import type { AccountsService } from '../features/accounts/accounts.service.js';
import { DomainError } from '../infra/errors.js';
import type { Logger } from '../infra/logger.js';
import { Connection } from './connection.js';
import type { OpRegistry } from './ops.js';
import type { ReadyBuilder } from './ready.js';
import { SessionStore, type SessionsChangedHook } from './sessions.js';
import { Subscriptions, topicKey } from './subscriptions.js';

export type { SessionsChangedHook, SessionsChangedReason } from './sessions.js';

/**
 * Close code (addition to the contract) for a socket whose session was resumed on another socket.
 * A client that gets it on its current socket has lost the session: it identifies afresh.
 */
export const SESSION_SUPERSEDED_CLOSE_CODE = CLOSE_CODES.sessionSuperseded;

/** Close code a client sends to end its session at once (no resume); any other drop keeps it. */
const NORMAL_CLOSURE = 1000;
/** RFC 6455 "service restart": reconnect. */
const SERVICE_RESTART = 1012;
/** Frames one socket may have read and waiting to be handled before its reading pauses. */
const MAX_PENDING_FRAMES = 16;

export interface GatewayOptions {
  identifyTimeoutMs: number;
  pingIntervalMs: number;
  idleTimeoutMs: number;
  maxFrameBytes: number;
  /** Inbound frames allowed per socket per window; past it the socket closes with 4008. */
  framesPerWindow: number;
  frameWindowMs: number;
  /** Events kept per session for resume (the contract asks for at least 1,000). */
  replayBufferSize: number;
  /** How long a session whose socket dropped stays resumable (the contract asks for at least 2 min). */
  sessionTtlMs: number;
  /** Sessions one user may hold on an instance; past it, the longest-detached ones end. */
  maxSessionsPerUser: number;
  /** Unsent output a socket may hold; past it the socket closes with 4011 and its client resumes. */
  maxBufferedBytes: number;
}

export const DEFAULT_GATEWAY_OPTIONS: GatewayOptions = {
  identifyTimeoutMs: GATEWAY_LIMITS.identifyTimeoutMs,
  pingIntervalMs: GATEWAY_LIMITS.pingIntervalMs,
  idleTimeoutMs: GATEWAY_LIMITS.idleTimeoutMs,
  maxFrameBytes: GATEWAY_LIMITS.maxFrameBytes,
  framesPerWindow: 120,
  frameWindowMs: 60_000,
  replayBufferSize: 2_000,
  sessionTtlMs: 3 * 60_000,
  maxSessionsPerUser: 50,
  maxBufferedBytes: 4 * 1024 * 1024,
};

export interface GatewayDeps {
  accounts: AccountsService;
  bus: Bus;
  ready: ReadyBuilder;
  ops: OpRegistry;
  log: Logger;
  parseCookie: (header: string) => Record<string, string | undefined>;
  options?: Partial<GatewayOptions>;
  /** Told whenever a user's sessions come and go on this instance (for presence). */
  onSessionsChanged?: SessionsChangedHook;
}

const textDecoder = new TextDecoder('utf-8', { fatal: true });

/** The real-time half of the API at `/ws`: identify, resume, ops in, events out, keepalive, limits. */
export class Gateway {
  readonly subscriptions = new Subscriptions();
  private readonly sessions: SessionStore;
  private readonly wss: WebSocketServer;
  private readonly options: GatewayOptions;
  private readonly connections = new Set<Connection>();
  private readonly queues = new WeakMap<Connection, Promise<void>>();
  private readonly sweeper: NodeJS.Timeout;
  private readonly unsubscribe: () => void;

  constructor(private readonly deps: GatewayDeps) {
    this.options = { ...DEFAULT_GATEWAY_OPTIONS, ...deps.options };
    this.sessions = new SessionStore(this.subscriptions, this.options, deps.log);
    if (deps.onSessionsChanged) this.sessions.watch(deps.onSessionsChanged);
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: this.options.maxFrameBytes,
      perMessageDeflate: false,
    });
    this.unsubscribe = deps.bus.subscribe((m) => this.onBusMessage(m));
    this.sweeper = setInterval(() => this.sweep(), this.options.pingIntervalMs);
    this.sweeper.unref();
  }

  attach(server: Server): void {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const path = (req.url ?? '').split('?')[0];
      if (path !== '/ws') {
        socket.destroy();
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws, req));
    });
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /** Gateway sessions on this instance, with a socket attached or waiting for a resume. */
  get sessionCount(): number {
    return this.sessions.size;
  }

  /**
   * Another way to the `onSessionsChanged` hook, for a feature built after the gateway
   * (and for tests). Returns the way to stop watching.
   */
  watchSessions(hook: SessionsChangedHook): () => void {
    return this.sessions.watch(hook);
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    this.unsubscribe();
    for (const conn of this.connections) conn.close(1001, 'server shutting down');
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    for (const conn of this.connections) conn.ws.terminate();
    this.sessions.clear();
  }

  private onConnection(ws: WebSocket, req: IncomingMessage): void {
    const conn = new Connection(ws, this.cookieToken(req), this.options.maxBufferedBytes, req.socket);
    this.connections.add(conn);
    conn.identifyTimer = setTimeout(() => {
      if (!conn.identified) conn.close(CLOSE_CODES.unauthorized, 'identify timeout');
    }, this.options.identifyTimeoutMs);
    ws.on('message', (data, isBinary) => this.enqueue(conn, data, isBinary));
    ws.on('pong', () => {
      conn.lastSeenAt = Date.now();
    });
    ws.on('error', (err) => this.deps.log.debug({ err: err.message }, 'socket error'));
    ws.on('close', (code) => {
      conn.stopIdentifyTimer();
      this.connections.delete(conn);
      const session = conn.session;
      if (!session) return;
      if (code === NORMAL_CLOSURE) {
        this.sessions.destroy(session, 'closed');
      } else if (session.conn === conn) {
        session.detach(conn, Date.now());
        this.sessions.detached(session);
      }
    });
  }

  /**
   * The cookie counts only when the upgrade comes from our own origin: a page elsewhere must not
   * ride a visitor's session (cross-site WebSocket hijacking), whatever SameSite a browser applies.
   */
  private cookieToken(req: IncomingMessage): string | undefined {
    const header = req.headers.cookie;
    if (!header) return undefined;
    const origin = req.headers.origin;
    if (origin !== undefined) {
      let originHost: string | undefined;
      try {
        originHost = new URL(origin).host;
      } catch {
        return undefined;
      }
      if (originHost !== req.headers.host) return undefined;
    }
    return this.deps.parseCookie(header)[SESSION_COOKIE];
  }

  /** Frames from one socket are handled one at a time, in order (a send before a send). */
  private enqueue(conn: Connection, data: RawData, isBinary: boolean): void {
    conn.lastSeenAt = Date.now();
    if (!conn.takeFrame(this.options.framesPerWindow, this.options.frameWindowMs)) {
      conn.close(CLOSE_CODES.rateLimited, 'too many frames');
      return;
    }
    // Past a few frames waiting, stop reading the socket: a client that sends faster than its
    // frames are handled is held back by TCP instead of growing a queue here.
    if (++conn.pendingFrames >= MAX_PENDING_FRAMES) conn.ws.pause();
    const previous = this.queues.get(conn) ?? Promise.resolve();
    const next = previous
      .then(() => this.onFrame(conn, data, isBinary))
      .catch((err: unknown) => {
        this.deps.log.error({ err }, 'gateway frame handler failed');
      })
      .finally(() => {
        if (--conn.pendingFrames === 0 && conn.ws.isPaused) conn.ws.resume();
      });
    this.queues.set(conn, next);
  }

  private async onFrame(conn: Connection, data: RawData, isBinary: boolean): Promise<void> {
    if (!conn.open) return;
    if (isBinary) {
      conn.close(CLOSE_CODES.invalidFrame, 'frames must be JSON text');
      return;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(textDecoder.decode(toBuffer(data)));
    } catch {
      conn.fail(undefined, 'invalid_input', 'The frame is not valid JSON.');
      return;
    }
    const envelope = ClientFrameSchema.safeParse(raw);
    if (!envelope.success) {
      const ref = refOf(raw);
      conn.fail(ref, 'invalid_input', 'A frame is {"op": string, "d"?: object, "ref"?: string}.');
      return;
    }
    const frame = envelope.data;
    if (frame.op === 'ping') {
      conn.sendFrame({ op: 'pong' });
      return;
    }
    if (frame.op === 'identify') return this.identify(conn, raw);
    if (frame.op === 'resume') return this.resume(conn, raw);
    if (!conn.identified) {
      conn.fail(frame.ref, 'unauthorized', 'Identify first.');
      return;
    }
    const handler = this.deps.ops.get(frame.op);
    if (!handler) {
      conn.fail(frame.ref, 'invalid_input', `Unknown op "${frame.op}".`);
      return;
    }
    const payload = handler.schema.safeParse(frame.d ?? {});
    if (!payload.success) {
      const issue = payload.error.issues[0];
      const message = issue ? `${issue.path.join('.') || 'd'}: ${issue.message}` : 'Invalid payload.';
      conn.fail(frame.ref, 'invalid_input', message);
      return;
    }
    const session = conn.session;
    if (!session) return;
    try {
      const result = await handler.handle({ auth: session.auth, sessionId: session.sessionId }, payload.data);
      if (result.events?.length) await this.deps.bus.publish(result.events);
      if (frame.ref !== undefined) conn.ok(frame.ref, result.reply);
    } catch (err) {
      if (err instanceof DomainError) {
        if (err.code === 'unauthorized') {
          if (conn.session) this.sessions.destroy(conn.session, 'closed');
          conn.close(CLOSE_CODES.sessionRevoked, 'session revoked');
          return;
        }
        conn.fail(frame.ref, err.code, err.message);
        return;
      }
      this.deps.log.error({ err, op: frame.op }, 'gateway op failed');
      conn.fail(frame.ref, 'internal', 'Something went wrong on the server.');
    }
  }

  private async identify(conn: Connection, raw: unknown): Promise<void> {
    const parsed = IdentifyOpSchema.safeParse(raw);
    if (!parsed.success) {
      conn.fail(refOf(raw), 'invalid_input', 'identify takes {"token"?: string}.');
      return;
    }
    if (conn.identified) {
      conn.fail(parsed.data.ref, 'invalid_input', 'Already identified.');
      return;
    }
    const token = parsed.data.d.token ?? conn.cookieToken;
    const auth = token ? await this.deps.accounts.authenticate(token) : undefined;
    if (!auth) {
      conn.close(CLOSE_CODES.unauthorized, 'invalid token');
      return;
    }
    if (!conn.open) return;
    // Indexed before ready is built, so events that happen meanwhile are buffered, then sent after it.
    const session = this.sessions.create(auth);
    conn.stopIdentifyTimer();
    const ready = await this.deps.ready.build(auth, session.sessionId).catch((err: unknown) => {
      this.sessions.destroy(session, 'closed');
      throw err;
    });
    if (session.destroyed) {
      conn.close(CLOSE_CODES.sessionRevoked, 'session revoked');
      return;
    }
    if (!conn.open) {
      this.sessions.destroy(session, 'closed');
      return;
    }
    for (const topic of ready.topics) this.subscriptions.subscribe(session, topic);
    conn.sendFrame({ op: 'ready', d: ready.data });
    session.attach(conn, 0);
  }

  /**
   * Re-attaches a session to this socket and replays what it missed, or says `invalid_session`
   * when it cannot: unknown or ended session, token of another login, expired, events dropped.
   */
  private async resume(conn: Connection, raw: unknown): Promise<void> {
    const parsed = ResumeOpSchema.safeParse(raw);
    if (!parsed.success) {
      conn.fail(
        refOf(raw),
        'invalid_input',
        'resume takes {"token"?: string, "sessionId": string, "seq": integer}.',
      );
      return;
    }
    if (conn.identified) {
      conn.fail(parsed.data.ref, 'invalid_input', 'Already identified.');
      return;
    }
    const { sessionId, seq } = parsed.data.d;
    const token = parsed.data.d.token ?? conn.cookieToken;
    const auth = token ? await this.deps.accounts.authenticate(token) : undefined;
    if (!conn.open) return;
    const session = this.sessions.get(sessionId);
    if (!session || !auth || auth.userId !== session.userId || auth.sessionId !== session.authSessionId) {
      conn.sendFrame({ op: 'invalid_session' });
      return;
    }
    if (!this.sessions.canResume(session, seq, Date.now())) {
      // Its client has just been told to start afresh; a detached session is of no more use.
      if (session.detached) this.sessions.destroy(session, 'expired');
      conn.sendFrame({ op: 'invalid_session' });
      return;
    }
    session.auth = auth;
    conn.stopIdentifyTimer();
    const superseded = session.attach(conn, seq);
    superseded?.close(SESSION_SUPERSEDED_CLOSE_CODE, 'session resumed on another socket');
    conn.sendFrame({ op: 'resumed' });
    this.sessions.resumed(session);
  }

  private onBusMessage(message: BusMessage): void {
    switch (message.kind) {
      case 'close_sessions':
        for (const authSessionId of message.sessionIds) {
          for (const session of [...this.subscriptions.sessionsOfAuthSession(authSessionId)]) {
            this.sessions.destroy(session, 'closed')?.close(message.code, message.reason);
          }
        }
        return;
      case 'subscribe':
        this.subscriptions.subscribeUsers(message.userIds, topicKey(message.topic));
        return;
      case 'unsubscribe':
        this.subscriptions.unsubscribeUsers(message.userIds, topicKey(message.topic));
        return;
      case 'drop_topic':
        this.subscriptions.dropTopic(topicKey(message.topic));
        return;
      case 'dispatch':
        this.sessions.dispatch(message);
        return;
      case 'gap':
        // Events published while the bus was away never reached this instance: no session here
        // can promise a complete replay. Clients reconnect, fail to resume, and catch up by
        // re-identifying and fetching history `after` what they last saw.
        for (const conn of this.sessions.destroyAll())
          conn.close(SERVICE_RESTART, 'events may have been missed');
        return;
    }
  }

  private sweep(): void {
    const now = Date.now();
    for (const conn of this.connections) {
      if (now - conn.lastSeenAt > this.options.idleTimeoutMs) {
        conn.ws.terminate();
      } else if (conn.open) {
        conn.ws.ping();
      }
    }
    this.sessions.sweep(now);
  }
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

function refOf(raw: unknown): string | undefined {
  if (raw && typeof raw === 'object' && 'ref' in raw) {
    const ref = (raw as { ref: unknown }).ref;
    if (typeof ref === 'string' && ref.length <= 64) return ref;
  }
  return undefined;
}
