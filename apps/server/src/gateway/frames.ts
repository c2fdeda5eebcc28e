import {
  CLOSE_CODES,
  ClientFrameSchema,
  GATEWAY_LIMITS,
  GATEWAY_OPS,
  isOpName,
  jsonInputProblem,
  type OpName,
  type OpPayload,
  RefSchema,
} from '@decentra/protocol';
import type { RawData } from 'ws';
import { isDatabaseUnavailable } from '../infra/database-unavailable.js';
import { DomainError } from '../infra/errors.js';
import type { Logger } from '../infra/logger.js';
import type { Connection } from './connection.js';
import type { Handshake } from './handshake.js';
import type { OpHandlers } from './ops.js';
import type { SessionStore } from './sessions.js';

/** Frames one socket may have read and waiting to be handled before its reading pauses. */
const MAX_PENDING_FRAMES = 16;

export interface FrameLimits {
  /** Inbound frames allowed per socket per window; past it the socket closes with 4008. */
  framesPerWindow: number;
  /** WebRTC signals (`voice_signal`) allowed per window on top: a mesh call exchanges many. */
  signalsPerWindow: number;
  frameWindowMs: number;
}

export interface FrameHandlerDeps {
  handshake: Handshake;
  sessions: SessionStore;
  ops: OpHandlers;
  log: Logger;
  limits: FrameLimits;
  now: () => number;
}

const textDecoder = new TextDecoder('utf-8', { fatal: true });

/** RFC 6455 close code: the server cannot serve now; the client reconnects later. */
const TRY_AGAIN_LATER = 1013;

/**
 * Frames in: the per-socket budget and read backpressure, then each frame parsed (UTF-8, JSON,
 * depth and well-formed strings, the envelope, the op's own schema) and handled, strictly in
 * order per socket. Any refusal is an `invalid_input` (or the op's own) reply; the socket stays.
 */
export class FrameHandler {
  private readonly queues = new WeakMap<Connection, Promise<void>>();

  constructor(private readonly deps: FrameHandlerDeps) {}

  /** Frames from one socket are handled one at a time, in order (a send before a send). */
  enqueue(conn: Connection, data: RawData, isBinary: boolean): void {
    const { limits, now, log } = this.deps;
    conn.lastSeenAt = now();
    const hardCap = limits.framesPerWindow + limits.signalsPerWindow;
    if (!conn.takeFrame(hardCap, limits.frameWindowMs, conn.lastSeenAt)) {
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
        log.error({ err }, 'gateway frame handler failed');
      })
      .finally(() => {
        if (--conn.pendingFrames === 0 && conn.ws.isPaused) conn.ws.resume();
      });
    this.queues.set(conn, next);
  }

  /** Resolves once every frame `conn` has sent so far is handled (a shutdown waits for it). */
  settled(conn: Connection): Promise<void> {
    return this.queues.get(conn) ?? Promise.resolve();
  }

  /** Closes with 4008 when this frame spends its kind's budget (see Connection.withinBudget). */
  private overBudget(conn: Connection, isSignal: boolean): boolean {
    const { limits } = this.deps;
    if (conn.withinBudget(isSignal, limits.framesPerWindow, limits.signalsPerWindow)) return false;
    conn.close(CLOSE_CODES.rateLimited, 'too many frames');
    return true;
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
      if (this.overBudget(conn, false)) return;
      conn.fail(undefined, 'invalid_input', 'The frame is not valid JSON in UTF-8.');
      return;
    }
    const ref = refOf(raw);
    const problem = jsonInputProblem(raw, GATEWAY_LIMITS.maxJsonDepth);
    if (problem) {
      if (this.overBudget(conn, false)) return;
      conn.fail(ref, 'invalid_input', problem);
      return;
    }
    const envelope = ClientFrameSchema.safeParse(raw);
    if (!envelope.success) {
      if (this.overBudget(conn, false)) return;
      conn.fail(ref, 'invalid_input', 'A frame is {"op": string, "d"?: object, "ref"?: string}.');
      return;
    }
    const frame = envelope.data;
    if (this.overBudget(conn, frame.op === 'voice_signal')) return;
    if (frame.op === 'ping') {
      conn.sendFrame({ op: 'pong' });
      return;
    }
    if (frame.op === 'identify' || frame.op === 'resume') {
      const { handshake } = this.deps;
      try {
        await (frame.op === 'identify' ? handshake.identify : handshake.resume).call(
          handshake,
          conn,
          raw,
          frame.ref,
        );
      } catch (err) {
        if (!isDatabaseUnavailable(err)) throw err;
        // Not the client's fault, and not a logout: come back later (1013, "try again later").
        this.deps.log.warn({ err, op: frame.op }, 'gateway handshake: the database is unreachable');
        conn.close(TRY_AGAIN_LATER, 'database unavailable');
      }
      return;
    }
    if (!conn.identified) {
      conn.fail(frame.ref, 'unauthorized', 'Identify first.');
      return;
    }
    if (!isOpName(frame.op)) {
      conn.fail(frame.ref, 'invalid_input', `Unknown op "${frame.op}".`);
      return;
    }
    return this.runOp(conn, frame.op, frame.d, frame.ref);
  }

  private async runOp<N extends OpName>(conn: Connection, name: N, d: unknown, ref: string | undefined) {
    const payload = GATEWAY_OPS[name].d.safeParse(d ?? {});
    if (!payload.success) {
      const issue = payload.error.issues[0];
      const message = issue ? `${issue.path.join('.') || 'd'}: ${issue.message}` : 'Invalid payload.';
      conn.fail(ref, 'invalid_input', message);
      return;
    }
    const session = conn.session;
    if (!session) return;
    const handler = this.deps.ops[name];
    try {
      const reply = await handler(
        { auth: session.auth, sessionId: session.sessionId },
        payload.data as OpPayload<N>,
      );
      if (ref !== undefined) conn.ok(ref, reply);
    } catch (err) {
      if (err instanceof DomainError) {
        if (err.code === 'unauthorized') {
          if (conn.session) this.deps.sessions.destroy(conn.session, 'closed');
          conn.close(CLOSE_CODES.sessionRevoked, 'session revoked');
          return;
        }
        conn.fail(ref, err.code, err.message, err.details);
        return;
      }
      if (isDatabaseUnavailable(err)) {
        this.deps.log.warn({ err, op: name }, 'gateway op: the database is unreachable');
        conn.fail(ref, 'unavailable', 'The database cannot be reached right now. Try again in a moment.');
        return;
      }
      this.deps.log.error({ err, op: name }, 'gateway op failed');
      conn.fail(ref, 'internal', 'Something went wrong on the server.');
    }
  }
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

function refOf(raw: unknown): string | undefined {
  if (typeof raw !== 'object' || raw === null || !('ref' in raw)) return undefined;
  const parsed = RefSchema.safeParse(raw.ref);
  return parsed.success ? parsed.data : undefined;
}
