import type { Duplex } from 'node:stream';
import { CLOSE_CODES, type ErrorCode, type ReplyFrame, type ServerFrame } from '@decentra/protocol';
import type { WebSocket } from 'ws';
import type { TimerHandle } from '../kernel/clock.js';
import { corkForThisTick } from './cork.js';
import type { GatewaySession } from './session.js';

/**
 * One client socket and its frame budget. Who it is and its event sequence live in the gateway
 * session it is attached to (after identify or resume), which outlives the socket.
 */
export class Connection {
  session: GatewaySession | undefined;
  /** Closes the socket with 4001 unless it identifies (or resumes) in time. */
  identifyTimer: TimerHandle | undefined;
  lastSeenAt: number;
  /** Frames read and not yet handled (see the gateway's read backpressure). */
  pendingFrames = 0;
  private windowStart: number;
  private framesInWindow = 0;

  constructor(
    readonly ws: WebSocket,
    readonly cookieToken: string | undefined,
    /** Bytes of output the socket may hold unsent; past it the socket closes (see `sendRaw`). */
    private readonly maxBufferedBytes = Number.POSITIVE_INFINITY,
    /** The TCP (or TLS) socket under `ws`: its writes are corked per tick when given. */
    private readonly socket?: Duplex,
    now = Date.now(),
    /** Told when this socket is closed as a slow consumer (the metrics). */
    private readonly onSlowConsumer: () => void = () => {},
  ) {
    this.lastSeenAt = now;
    this.windowStart = now;
  }

  get identified(): boolean {
    return this.session !== undefined;
  }

  stopIdentifyTimer(): void {
    this.identifyTimer?.cancel();
    this.identifyTimer = undefined;
  }

  get open(): boolean {
    return this.ws.readyState === this.ws.OPEN;
  }

  /** This window's frames by kind, counted once read: voice signals have a budget of their own. */
  private signalsInWindow = 0;
  private ordinaryInWindow = 0;

  /** Counts one inbound frame; false once the budget for the current window is spent. */
  takeFrame(limit: number, windowMs: number, now: number): boolean {
    if (now - this.windowStart >= windowMs) {
      this.windowStart = now;
      this.framesInWindow = 0;
      this.signalsInWindow = 0;
      this.ordinaryInWindow = 0;
    }
    this.framesInWindow += 1;
    return this.framesInWindow <= limit;
  }

  /**
   * Once a counted frame's op is known: whether this window's voice signals stay within
   * `signalLimit` and every other frame (unreadable ones included) within `ordinaryLimit`.
   */
  withinBudget(isSignal: boolean, ordinaryLimit: number, signalLimit: number): boolean {
    if (isSignal) this.signalsInWindow += 1;
    else this.ordinaryInWindow += 1;
    return this.signalsInWindow <= signalLimit && this.ordinaryInWindow <= ordinaryLimit;
  }

  sendFrame(frame: ServerFrame): void {
    this.sendRaw(JSON.stringify(frame));
  }

  ok(ref: string | undefined, d?: unknown): void {
    const frame: ReplyFrame = { op: 'reply', ok: true };
    if (ref !== undefined) frame.ref = ref;
    if (d !== undefined) frame.d = d;
    this.sendFrame(frame);
  }

  fail(ref: string | undefined, code: ErrorCode, message: string, details?: unknown): void {
    const error = details === undefined ? { code, message } : { code, message, details };
    const frame: ReplyFrame = { op: 'reply', ok: false, error };
    if (ref !== undefined) frame.ref = ref;
    this.sendFrame(frame);
  }

  /**
   * Sends an event whose `{"t":…,"d":…}` part was encoded once for the whole fan-out:
   * only the session's sequence number is spliced in here.
   */
  sendEncodedEvent(seq: number, encodedTD: string, bounded = true): void {
    this.sendRaw(`{"op":"event","seq":${seq},${encodedTD.slice(1)}`, bounded);
  }

  /**
   * With `bounded` (live events), a slow consumer (its unsent output past the bound) is closed with
   * 4011 rather than buffered without end: one slow client never grows the server's memory or
   * delays the others. Its session stays resumable; events meanwhile go to its replay buffer, and
   * the client resumes from there. Replies, `ready`, `resumed` and a replay on resume are sent
   * unbounded: they answer the client's own (rate-limited) frames, and the replay buffer bounds a
   * replay; closing in the middle of one would send the client round in circles.
   */
  sendRaw(data: string, bounded = false): void {
    if (!this.open) return;
    if (bounded && this.ws.bufferedAmount > this.maxBufferedBytes) {
      this.onSlowConsumer();
      this.close(CLOSE_CODES.slowConsumer, 'too far behind: resume');
      return;
    }
    if (this.socket) corkForThisTick(this.socket);
    this.ws.send(data);
  }

  /** Set once the server closes this socket: the code that comes back is then its own echoed. */
  closedByServer = false;

  close(code: number, reason: string): void {
    this.closedByServer = true;
    if (this.ws.readyState === this.ws.OPEN || this.ws.readyState === this.ws.CONNECTING)
      this.ws.close(code, reason);
  }
}
