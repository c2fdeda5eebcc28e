import {
  CLOSE_CODES,
  type ErrorCode,
  type EventFrameOf,
  type EventName,
  type GatewayEvent,
  type OpInput,
  type OpName,
  type OpReply,
  parseServerFrame,
  type ReadyData,
  type RefusalReason,
  refusalReason,
  type ServerFrame,
} from '@decentra/protocol';

/**
 * What the client needs of a WebSocket: the browser's global one and the `ws` package's both fit.
 * Handlers are declared method-style so either library's own event types are accepted.
 */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: Handler<unknown> | null;
  onmessage: Handler<{ data: unknown }> | null;
  onclose: Handler<{ code: number; reason: string }> | null;
  onerror: Handler<unknown> | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}
type Handler<E> = { bivariant(event: E): void }['bivariant'];

export type WebSocketConstructor = new (url: string) => WebSocketLike;

export type GatewayState = 'idle' | 'connecting' | 'ready' | 'reconnecting' | 'closed';

/** A scheduled callback that can be called off. */
export interface ClockTimer {
  cancel(): void;
}

/** Time for reconnect backoff, heartbeats and request timeouts; tests pass a manual one. */
export interface ClientClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): ClockTimer;
}

const systemClock: ClientClock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const timer = setTimeout(fn, ms);
    return { cancel: () => clearTimeout(timer) };
  },
};

export interface GatewayClientOptions {
  /** `wss://host/ws`; in a browser it defaults to this page's host. */
  url?: string;
  /** Bearer token; without it the browser sends the session cookie with the upgrade. */
  token?: string;
  /** The WebSocket class; defaults to the global one (browsers). On Node 20 pass `ws`'s. */
  WebSocket?: WebSocketConstructor;
  /** First reconnect delay; it doubles per failed attempt up to `maxReconnectDelayMs`, with jitter. */
  reconnectDelayMs?: number;
  maxReconnectDelayMs?: number;
  /** How long `request` waits for its reply. */
  requestTimeoutMs?: number;
  /** App-level ping period; a socket that hears nothing for twice this is deemed dead. 0: off. */
  heartbeatMs?: number;
  /**
   * Check every frame against the contract's schemas (tests do): a frame that does not match is
   * reported through `invalidFrame` and dropped.
   */
  validate?: boolean;
  clock?: ClientClock;
}

/** A refused or failed `request`: the server's error code, or why no answer came. */
export class GatewayRequestError extends Error {
  override name = 'GatewayRequestError';
  constructor(
    readonly code: ErrorCode | 'disconnected' | 'timeout',
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }

  /** Why it was refused, when the contract names a reason for this code (docs/api.md). */
  get reason(): RefusalReason | undefined {
    return refusalReason(this.code, this.details);
  }
}

export interface GatewayClientEvents {
  /** Connection state for the UI. */
  state: (state: GatewayState) => void;
  /** A new session began (the first connect, and after every reset): replace state from `ready`. */
  ready: (data: ReadyData) => void;
  /** The dropped session was resumed: every missed event has been delivered, nothing to refetch. */
  resumed: () => void;
  /**
   * The previous session could not be resumed and a new one began (after its `ready`): events in
   * between may be lost, so refetch what is on screen, e.g. messages `after` the last id seen.
   */
  reset: (data: ReadyData) => void;
  /** Every event, once and in order. */
  event: (frame: GatewayEvent) => void;
  /** With `validate`: a frame the contract does not allow (dropped). */
  invalidFrame: (info: { frame: unknown; error: string }) => void;
  /** The client stopped for good: `close()` was called, or the server refused the login (4001, 4009, 4012). */
  closed: (info: { code: number; reason: string }) => void;
}

type Listeners = { [K in keyof GatewayClientEvents]: Set<GatewayClientEvents[K]> };

interface Pending {
  resolve: (d: unknown) => void;
  reject: (err: GatewayRequestError) => void;
  timer: ClockTimer;
}

/** Close codes after which reconnecting cannot help: the login itself is refused or revoked. */
const TERMINAL_CLOSE_CODES = new Set<number>([
  CLOSE_CODES.unauthorized,
  CLOSE_CODES.sessionRevoked,
  CLOSE_CODES.accountDisabled,
]);
/** The server moved our session to another socket (see docs/api.md): start a session of our own. */
const SESSION_SUPERSEDED = CLOSE_CODES.sessionSuperseded;
/** Sent when we drop a socket ourselves for silence; anything but 1000 keeps the session resumable. */
const ABANDONED = 4000;

/**
 * The gateway connection of the SDK: identify, events in order, ops with replies, and on a drop
 * reconnect with backoff and resume, or start afresh and say `reset` when resuming cannot be.
 */
export class GatewayClient {
  token: string | undefined;
  private readonly url: string;
  private readonly WS: WebSocketConstructor;
  private readonly reconnectDelayMs: number;
  private readonly maxReconnectDelayMs: number;
  private readonly requestTimeoutMs: number;
  private readonly heartbeatMs: number;
  private readonly validate: boolean;
  private readonly listeners: Listeners = {
    state: new Set(),
    ready: new Set(),
    resumed: new Set(),
    reset: new Set(),
    event: new Set(),
    invalidFrame: new Set(),
    closed: new Set(),
  };
  private readonly pending = new Map<string, Pending>();
  private ws: WebSocketLike | undefined;
  private currentState: GatewayState = 'idle';
  private ready: ReadyData | undefined;
  private session: string | undefined;
  private seq = 0;
  private attempts = 0;
  private nextRef = 0;
  private lastFrameAt = 0;
  private reconnectTimer: ClockTimer | undefined;
  private heartbeat: ClockTimer | undefined;
  private readonly clock: ClientClock;
  private firstReady: Deferred<ReadyData> | undefined;

  constructor(options: GatewayClientOptions = {}) {
    this.url = options.url ?? defaultUrl();
    this.token = options.token;
    const WS = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (!WS) throw new Error('No WebSocket here: pass options.WebSocket (e.g. the `ws` package).');
    this.WS = WS;
    this.reconnectDelayMs = options.reconnectDelayMs ?? 500;
    this.maxReconnectDelayMs = options.maxReconnectDelayMs ?? 30_000;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 15_000;
    this.heartbeatMs = options.heartbeatMs ?? 30_000;
    this.validate = options.validate ?? false;
    this.clock = options.clock ?? systemClock;
  }

  get state(): GatewayState {
    return this.currentState;
  }

  /** The `ready` payload of the current session. */
  get readyData(): ReadyData | undefined {
    return this.ready;
  }

  get sessionId(): string | undefined {
    return this.session;
  }

  /** The seq of the last event delivered. */
  get lastSeq(): number {
    return this.seq;
  }

  /**
   * Opens the connection; resolves with the first `ready`. A server out of reach is retried with
   * backoff meanwhile; it rejects only when the login is refused or `close()` is called first.
   */
  connect(): Promise<ReadyData> {
    if (this.currentState === 'idle' || this.currentState === 'closed') {
      this.ready = undefined;
      this.session = undefined;
      this.seq = 0;
      this.attempts = 0;
      this.firstReady = deferred();
      this.setState('connecting');
      this.open();
    }
    return this.firstReady?.promise ?? Promise.resolve(this.ready as ReadyData);
  }

  /** Ends the session (a clean close: the server forgets it at once) and stops reconnecting. */
  close(): void {
    if (this.currentState === 'closed') return;
    const ws = this.ws;
    this.ws = undefined;
    ws?.close(1000, 'client closed');
    this.stop({ code: 1000, reason: 'client closed' });
  }

  on<K extends keyof GatewayClientEvents>(type: K, listener: GatewayClientEvents[K]): () => void {
    const set = this.listeners[type] as Set<GatewayClientEvents[K]>;
    set.add(listener);
    return () => set.delete(listener);
  }

  /** Listens to one event type; `d` is typed by the contract's event map. */
  onEvent<T extends EventName>(
    t: T,
    listener: (d: EventFrameOf<T>['d'], frame: EventFrameOf<T>) => void,
  ): () => void {
    return this.on('event', (frame) => {
      if (isEvent(frame, t)) listener(frame.d, frame);
    });
  }

  /** Sends an op and resolves with its reply's `d`; rejects with the server's error code. */
  request<N extends OpName>(op: N, d: OpInput<N>): Promise<OpReply<N>> {
    const ws = this.ws;
    if (!ws || this.currentState !== 'ready') {
      return Promise.reject(new GatewayRequestError('disconnected', 'The gateway is not connected.'));
    }
    this.nextRef += 1;
    const ref = String(this.nextRef);
    return new Promise<OpReply<N>>((resolve, reject) => {
      const timer = this.clock.setTimeout(() => {
        this.pending.delete(ref);
        reject(new GatewayRequestError('timeout', `No reply to "${op}" in time.`));
      }, this.requestTimeoutMs);
      // The reply's `d` is the op's reply type by the contract (checked when validating).
      this.pending.set(ref, { resolve: (value) => resolve(value as OpReply<N>), reject, timer });
      ws.send(JSON.stringify({ op, d, ref }));
    });
  }

  /** Sends an op without waiting for anything (e.g. `typing`); false when not connected. */
  send<N extends OpName>(op: N, d: OpInput<N>): boolean {
    if (!this.ws || this.currentState !== 'ready') return false;
    this.ws.send(JSON.stringify({ op, d }));
    return true;
  }

  private open(): void {
    let ws: WebSocketLike;
    try {
      ws = new this.WS(this.url);
    } catch (err) {
      this.stop({ code: 1006, reason: (err as Error).message });
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      if (this.ws !== ws) return;
      this.lastFrameAt = this.clock.now();
      this.startHeartbeat();
      const token = this.token === undefined ? {} : { token: this.token };
      if (this.session)
        this.sendRaw({ op: 'resume', d: { ...token, sessionId: this.session, seq: this.seq } });
      else this.sendRaw({ op: 'identify', d: token });
    };
    ws.onmessage = (ev) => {
      if (this.ws !== ws) return;
      this.lastFrameAt = this.clock.now();
      if (typeof ev.data === 'string') this.onFrame(ev.data);
    };
    ws.onclose = (ev) => {
      if (this.ws === ws) this.onDrop(ev.code, ev.reason);
    };
    ws.onerror = () => {
      // A close event always follows; that is where the drop is handled.
    };
  }

  private onFrame(text: string): void {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      return;
    }
    const frame = this.decode(raw);
    if (!frame) return;
    switch (frame.op) {
      case 'ready':
        this.onReady(frame.d);
        return;
      case 'resumed':
        this.attempts = 0;
        this.setState('ready');
        this.emit('resumed');
        return;
      case 'invalid_session':
        this.session = undefined;
        this.seq = 0;
        this.sendRaw({ op: 'identify', d: this.token === undefined ? {} : { token: this.token } });
        return;
      case 'event':
        // A replay never overlaps what was delivered; the guard keeps "exactly once" if one did.
        if (frame.seq <= this.seq) return;
        this.seq = frame.seq;
        this.emit('event', frame);
        return;
      case 'reply':
        this.onReply(frame);
        return;
      case 'pong':
        return;
    }
  }

  /** The frame as the contract types it: checked when validating, else trusted from the server. */
  private decode(raw: unknown): ServerFrame | undefined {
    if (this.validate) {
      const parsed = parseServerFrame(raw);
      if (parsed.success) return parsed.data;
      this.emit('invalidFrame', { frame: raw, error: parsed.error });
      return undefined;
    }
    if (typeof raw !== 'object' || raw === null || !('op' in raw)) return undefined;
    return raw as ServerFrame;
  }

  private onReady(data: ReadyData): void {
    const replacesSession = this.ready !== undefined;
    this.ready = data;
    this.session = data.sessionId;
    this.seq = 0;
    this.attempts = 0;
    this.setState('ready');
    this.emit('ready', data);
    if (replacesSession) this.emit('reset', data);
    this.firstReady?.resolve(data);
    this.firstReady = undefined;
  }

  private onReply(frame: Extract<ServerFrame, { op: 'reply' }>): void {
    const ref = frame.ref;
    const pending = ref === undefined ? undefined : this.pending.get(ref);
    if (!pending || ref === undefined) return;
    this.pending.delete(ref);
    pending.timer.cancel();
    if (frame.ok) {
      pending.resolve(frame.d);
      return;
    }
    const { code, message, details } = frame.error;
    pending.reject(new GatewayRequestError(code, message, details));
  }

  private onDrop(code: number, reason: string): void {
    this.ws = undefined;
    this.stopHeartbeat();
    this.failPending();
    if (TERMINAL_CLOSE_CODES.has(code)) {
      this.session = undefined;
      this.stop({ code, reason });
      return;
    }
    if (code === SESSION_SUPERSEDED) this.session = undefined;
    this.setState('reconnecting');
    const ceiling = Math.min(this.maxReconnectDelayMs, this.reconnectDelayMs * 2 ** this.attempts);
    this.attempts += 1;
    // Jitter spreads the reconnects of many clients after a server restart.
    const delay = ceiling / 2 + Math.random() * (ceiling / 2);
    this.reconnectTimer = this.clock.setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.currentState === 'reconnecting') this.open();
    }, delay);
  }

  private stop(info: { code: number; reason: string }): void {
    this.reconnectTimer?.cancel();
    this.stopHeartbeat();
    this.failPending();
    this.setState('closed');
    this.firstReady?.reject(new Error(`The gateway closed (${info.code} ${info.reason}).`));
    this.firstReady = undefined;
    this.emit('closed', info);
  }

  private startHeartbeat(): void {
    this.stopHeartbeat();
    if (this.heartbeatMs <= 0) return;
    this.heartbeat = this.clock.setTimeout(() => this.beat(), this.heartbeatMs);
  }

  private beat(): void {
    const ws = this.ws;
    if (!ws) return;
    if (this.clock.now() - this.lastFrameAt > 2 * this.heartbeatMs) {
      // Silent too long: the connection is dead even if the socket does not know it yet.
      this.ws = undefined;
      ws.close(ABANDONED, 'heartbeat timeout');
      this.onDrop(ABANDONED, 'heartbeat timeout');
      return;
    }
    this.sendRaw({ op: 'ping' });
    this.heartbeat = this.clock.setTimeout(() => this.beat(), this.heartbeatMs);
  }

  private stopHeartbeat(): void {
    this.heartbeat?.cancel();
    this.heartbeat = undefined;
  }

  private failPending(): void {
    for (const pending of this.pending.values()) {
      pending.timer.cancel();
      pending.reject(new GatewayRequestError('disconnected', 'The connection dropped before the reply.'));
    }
    this.pending.clear();
  }

  private sendRaw(frame: unknown): void {
    this.ws?.send(JSON.stringify(frame));
  }

  private setState(state: GatewayState): void {
    if (state === this.currentState) return;
    this.currentState = state;
    this.emit('state', state);
  }

  private emit<K extends keyof GatewayClientEvents>(
    type: K,
    ...args: Parameters<GatewayClientEvents[K]>
  ): void {
    for (const listener of this.listeners[type]) {
      try {
        (listener as (...a: Parameters<GatewayClientEvents[K]>) => void)(...args);
      } catch (err) {
        // One faulty listener must not stop the others or the connection.
        console.error(err);
      }
    }
  }
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (err: Error) => void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function isEvent<T extends EventName>(frame: GatewayEvent, t: T): frame is EventFrameOf<T> & GatewayEvent {
  return frame.t === t;
}

function defaultUrl(): string {
  const location = (globalThis as { location?: { protocol: string; host: string } }).location;
  if (!location) throw new Error('GatewayClient needs options.url outside a browser.');
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/ws`;
}
