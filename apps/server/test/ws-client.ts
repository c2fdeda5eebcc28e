import {
  type EventData,
  type EventFrameOf,
  type EventName,
  GATEWAY_OPS,
  isOpName,
  type Presence,
  parseServerFrame,
  type ReadyData,
  ReadyDataSchema,
} from '@decentra/protocol';
import WebSocket from 'ws';
import * as z from 'zod';

/**
 * Frames the server sent that the contract does not allow, from every TestSocket of the test
 * file; the integration setup (frame-check.ts) fails the test that received one.
 */
export const framesOutsideContract: string[] = [];

export interface Frame {
  op: string;
  t?: string;
  d?: unknown;
  seq?: number;
  ref?: string;
  ok?: boolean;
  error?: { code: string; message: string };
}

/** A real WebSocket client that records every frame, so tests can wait for what a client would see. */
export class TestSocket {
  readonly frames: Frame[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private waiters: Array<() => void> = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const raw: unknown = JSON.parse(String(data));
      const checked = parseServerFrame(raw);
      if (!checked.success)
        framesOutsideContract.push(`${checked.error}\n  in ${String(data).slice(0, 300)}`);
      this.frames.push(raw as Frame);
      for (const w of this.waiters.splice(0)) w();
    });
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        resolve({ code, reason: String(reason) });
        for (const w of this.waiters.splice(0)) w();
      });
    });
  }

  static async open(url: string, headers: Record<string, string> = {}): Promise<TestSocket> {
    const ws = new WebSocket(url, { headers });
    const socket = new TestSocket(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return socket;
  }

  /** Opens a socket and identifies; resolves with the `ready` payload. */
  static async identified(url: string, token: string): Promise<{ socket: TestSocket; ready: ReadyData }> {
    const socket = await TestSocket.open(url);
    socket.send({ op: 'identify', d: { token } });
    const ready = await socket.next((f) => f.op === 'ready');
    return { socket, ready: ReadyDataSchema.parse(ready.d) };
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** Sends a frame with a ref and waits for its reply (whose `d` is checked against the op's reply schema). */
  async request(op: string, d: unknown, ref = `r${Math.random().toString(36).slice(2)}`): Promise<Frame> {
    this.send({ op, d, ref });
    const reply = await this.next((f) => f.op === 'reply' && f.ref === ref);
    if (reply.ok && isOpName(op)) {
      const checked = GATEWAY_OPS[op].reply.safeParse(reply.d);
      if (!checked.success) framesOutsideContract.push(`reply to ${op}: ${z.prettifyError(checked.error)}`);
    }
    return reply;
  }

  /** The first frame (already received or still to come) that matches; fails after `timeoutMs`. */
  async next(match: (f: Frame) => boolean, timeoutMs = 5_000, from = 0): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.frames.slice(from).find(match);
      if (found) return found;
      if (this.ws.readyState === WebSocket.CLOSED)
        throw new Error(`socket closed before a matching frame arrived`);
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`no matching frame within ${timeoutMs} ms; got ${JSON.stringify(this.frames)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /**
   * The first event of type `t` (already received or still to come) whose payload matches, typed
   * by the contract (every frame was checked against it on arrival).
   */
  async nextEvent<T extends EventName>(
    t: T,
    match: (d: EventData<T>) => boolean = () => true,
    timeoutMs = 5_000,
    /** Look only at frames from this index on (`socket.frames.length` before the action). */
    from = 0,
  ): Promise<EventFrameOf<T>> {
    const frame = await this.next(
      (f) => f.op === 'event' && f.t === t && match(f.d as EventData<T>),
      timeoutMs,
      from,
    );
    return frame as unknown as EventFrameOf<T>;
  }

  /** The payloads of every `t` event received so far, typed by the contract. */
  payloads<T extends EventName>(t: T): Array<EventData<T>> {
    return this.events(t).map((f) => f.d as EventData<T>);
  }

  /**
   * Every presence change received so far, in order, from `presence_update` and `presence_batch`
   * alike (which one carries a change depends on what else reached the socket at that moment; a
   * batch's own changes come online first, then offline, each user once).
   */
  presences(from = 0): Presence[] {
    return this.frames.slice(from).flatMap(presencesIn);
  }

  /** The first presence change (already received or still to come) that matches. */
  async nextPresence(
    match: (p: Presence) => boolean,
    timeoutMs = 5_000,
    /** Look only at frames from this index on (`socket.frames.length` before the action). */
    from = 0,
  ): Promise<Presence> {
    const frame = await this.next((f) => presencesIn(f).some(match), timeoutMs, from);
    return presencesIn(frame).find(match) as Presence;
  }

  events(t?: string): Frame[] {
    return this.frames.filter((f) => f.op === 'event' && (t === undefined || f.t === t));
  }

  close(): void {
    this.ws.close();
  }
}

/** The presence changes a frame carries (checked against the contract on arrival). */
function presencesIn(f: Frame): Presence[] {
  if (f.op !== 'event') return [];
  if (f.t === 'presence_update') return [f.d as EventData<'presence_update'>];
  if (f.t === 'presence_batch') {
    const { online, offline } = f.d as EventData<'presence_batch'>;
    return [
      ...online.map((userId) => ({ userId, status: 'online' as const })),
      ...offline.map((userId) => ({ userId, status: 'offline' as const })),
    ];
  }
  return [];
}
