import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { CLOSE_CODES, GATEWAY_LIMITS, SESSION_COOKIE } from '@decentra/protocol';
import { type WebSocket, WebSocketServer } from 'ws';
import type { Logger } from '../infra/logger.js';
import type { Authenticate } from '../kernel/actor.js';
import { type Clock, systemClock, type TimerHandle } from '../kernel/clock.js';
import type { BusMessage } from '../kernel/events.js';
import type { SessionsChangedHook } from '../kernel/sessions.js';
import { Connection } from './connection.js';
import { fanOut } from './fan-out.js';
import { FrameHandler } from './frames.js';
import { type GatewayMetrics, NO_GATEWAY_METRICS } from './gateway-metrics.js';
import { Handshake } from './handshake.js';
import type { OpHandlers } from './ops.js';
import type { ReadyBuilder } from './ready.js';
import type { SessionDirectory } from './session-directory.js';
import { DEFAULT_HANDOVER_TIMEOUT_MS, SessionHandover } from './session-handover.js';
import { SessionStore } from './sessions.js';
import { Subscriptions } from './subscriptions.js';

/** Close code a client sends to end its session at once (no resume); any other drop keeps it. */
const NORMAL_CLOSURE = 1000;
/** What browsers send when the page closes, reloads or navigates away: that page will never resume. */
const GOING_AWAY = 1001;

export interface GatewayOptions {
  identifyTimeoutMs: number;
  pingIntervalMs: number;
  idleTimeoutMs: number;
  maxFrameBytes: number;
  /** Inbound frames allowed per socket per window; past it the socket closes with 4008. */
  framesPerWindow: number;
  signalsPerWindow: number;
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
  // A 10-person mesh joining, or an ICE restart, sends each peer a description and several
  // candidates: Discord's 120 would close a busy voice user's socket (its voice has a gateway
  // of its own; ours goes through this one).
  signalsPerWindow: 600,
  frameWindowMs: 60_000,
  replayBufferSize: 2_000,
  sessionTtlMs: 3 * 60_000,
  maxSessionsPerUser: 50,
  maxBufferedBytes: 4 * 1024 * 1024,
};

/** What the gateway listens to: the bus's deliveries (it publishes nothing itself). */
export interface BusFeed {
  subscribe(handler: (message: BusMessage) => void): () => void;
}

export interface GatewayDeps {
  authenticate: Authenticate;
  bus: BusFeed;
  ready: ReadyBuilder;
  ops: OpHandlers;
  log: Logger;
  parseCookie: (header: string) => Record<string, string | undefined>;
  options?: Partial<GatewayOptions>;
  /** Time for keepalive, the identify timeout, frame budgets and session lifetimes. */
  clock?: Clock;
  metrics?: GatewayMetrics;
  /** Which instance holds which session (several instances); in memory only without it. */
  directory?: SessionDirectory;
  /** How long a resume of a session held elsewhere waits for its holder's answer. */
  handoverTimeoutMs?: number;
}

/**
 * The real-time half of the API at `/ws`: sockets and keepalive here; the handshake (identify,
 * resume) in handshake.ts, frames and ops in frames.ts, events out in fan-out.ts.
 */
/** The longest a shutdown waits for the frames sockets had sent to be handled. */
const DRAIN_MS = 10_000;
/** RFC 6455: the server is restarting; the client should reconnect. */
const SERVICE_RESTART = 1012;

export class Gateway {
  readonly subscriptions = new Subscriptions();
  private readonly sessions: SessionStore;
  private readonly wss: WebSocketServer;
  private readonly options: GatewayOptions;
  private readonly connections = new Set<Connection>();
  private readonly frames: FrameHandler;
  private readonly clock: Clock;
  private readonly now: () => number;
  private sweeper: TimerHandle | undefined;
  private readonly unsubscribe: () => void;
  private closing = false;
  private readonly metrics: GatewayMetrics;

  constructor(private readonly deps: GatewayDeps) {
    this.options = { ...DEFAULT_GATEWAY_OPTIONS, ...deps.options };
    this.clock = deps.clock ?? systemClock;
    this.metrics = deps.metrics ?? NO_GATEWAY_METRICS;
    this.now = () => this.clock.now();
    this.sessions = new SessionStore(
      this.subscriptions,
      this.options,
      deps.log,
      this.metrics,
      deps.directory,
    );
    const handover = new SessionHandover({
      sessions: this.sessions,
      clock: this.clock,
      log: deps.log,
      replayBufferSize: this.options.replayBufferSize,
      timeoutMs: deps.handoverTimeoutMs ?? DEFAULT_HANDOVER_TIMEOUT_MS,
    });
    const handshake = new Handshake({
      authenticate: deps.authenticate,
      ready: deps.ready,
      sessions: this.sessions,
      subscriptions: this.subscriptions,
      handover,
      now: this.now,
      metrics: this.metrics,
    });
    this.frames = new FrameHandler({
      handshake,
      sessions: this.sessions,
      ops: deps.ops,
      log: deps.log,
      limits: this.options,
      now: this.now,
    });
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: this.options.maxFrameBytes,
      perMessageDeflate: false,
      // Frames are decoded (strictly) by the frame handler, which answers bad UTF-8 with an
      // `invalid_input` reply and keeps the socket, as for any other malformed frame.
      skipUTF8Validation: true,
    });
    this.unsubscribe = deps.bus.subscribe(fanOut(this.sessions, this.subscriptions, handover));
    this.scheduleSweep();
  }

  private scheduleSweep(): void {
    this.sweeper = this.clock.setTimeout(() => {
      this.sweep();
      this.scheduleSweep();
    }, this.options.pingIntervalMs);
  }

  attach(server: Server): void {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const path = (req.url ?? '').split('?')[0];
      if (path !== '/ws' || this.closing) {
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

  /** Tells `hook` of every change of a user's sessions (presence, voice). Returns the way to stop. */
  watchSessions(hook: SessionsChangedHook): () => void {
    return this.sessions.watch(hook);
  }

  /**
   * Keepalive, run every ping interval: drops sockets silent past the idle timeout, pings the
   * others, and ends detached sessions past their time to live.
   */
  private sweep(): void {
    const now = this.now();
    for (const conn of this.connections) {
      if (now - conn.lastSeenAt > this.options.idleTimeoutMs) {
        conn.ws.terminate();
      } else if (conn.open) {
        conn.ws.ping();
      }
    }
    this.sessions.sweep(now);
  }

  /**
   * Shutdown, drained: no new sockets; no socket is read any more, and what each one had sent is
   * handled to the end (writes committed, replies and events out, the bus still heard); then each
   * closes with 1012 (service restart), which clients answer by reconnecting, to another
   * instance if there is one. A frame never read was never answered: its client sends it again.
   */
  async close(drainMs = DRAIN_MS): Promise<void> {
    this.closing = true;
    this.sweeper?.cancel();
    this.sweeper = undefined;
    for (const conn of this.connections) conn.ws.pause();
    let timer: TimerHandle | undefined;
    await Promise.race([
      Promise.all([...this.connections].map((conn) => this.frames.settled(conn))),
      new Promise<void>((resolve) => {
        timer = this.clock.setTimeout(resolve, drainMs);
      }),
    ]);
    timer?.cancel();
    this.unsubscribe();
    for (const conn of this.connections) {
      // Read again, only to hear the client's answering close frame: a paused socket never
      // completes the closing handshake, and ws then waits its 30 s close timeout (and the
      // client's reconnect with it). Frames still unread are dropped unanswered, as before.
      conn.ws.removeAllListeners('message');
      conn.ws.resume();
      conn.close(SERVICE_RESTART, 'server restarting');
    }
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    for (const conn of this.connections) conn.ws.terminate();
    await this.sessions.clear();
  }

  private onConnection(ws: WebSocket, req: IncomingMessage): void {
    const conn = new Connection(
      ws,
      this.cookieToken(req),
      this.options.maxBufferedBytes,
      req.socket,
      this.now(),
      () => this.metrics.slowConsumerClosed(),
    );
    this.connections.add(conn);
    conn.identifyTimer = this.clock.setTimeout(() => {
      if (!conn.identified) conn.close(CLOSE_CODES.unauthorized, 'identify timeout');
    }, this.options.identifyTimeoutMs);
    ws.on('message', (data, isBinary) => this.frames.enqueue(conn, data, isBinary));
    ws.on('pong', () => {
      conn.lastSeenAt = this.now();
    });
    ws.on('error', (err) => this.deps.log.debug({ err: err.message }, 'socket error'));
    ws.on('close', (code) => {
      conn.stopIdentifyTimer();
      this.connections.delete(conn);
      const session = conn.session;
      if (!session) return;
      // The client's own goodbye ends its session; the server's codes echoed back do not.
      const goodbye = code === NORMAL_CLOSURE || (code === GOING_AWAY && !conn.closedByServer);
      if (goodbye) {
        this.sessions.destroy(session, 'closed');
      } else if (session.conn === conn) {
        session.detach(conn, this.now());
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
}
