/**
 * One load-generator process: opens its share of the sockets (identified ones for Decentra,
 * room sockets for the baseline), sends at the rate it is told during a step, and records the
 * delivery latency of every copy it receives (receive time - send time carried in the content;
 * both ends read the same machine clock).
 */
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { Histogram } from '../lib/histogram.js';
import { serve, sleep } from '../lib/rpc.js';

interface SocketSpec {
  room: number;
  token?: string;
  channelId?: string;
}
interface Sock {
  ws: WebSocket;
  spec: SocketSpec;
}

const workerId = Number(process.env.BENCH_WORKER_ID ?? 0);
const clock = () => performance.timeOrigin + performance.now();
let kind: 'decentra' | 'baseline' = 'decentra';
let socks: Sock[] = [];
let currentStep = -1;
let hist = new Histogram();
let received = 0;
let errors = 0;
let closedDuringStep = 0;
let nonce = 0;
let lastFrameAt = 0;
let baseUrl = '';
/** REST sends: kept-alive connections, a bounded pool (as a client's browser or bot would hold). */
const agent = new Agent({ keepAlive: true, maxSockets: 64 });

/** One send over REST; a refusal counts as an error, as a refused gateway reply does. */
function restSend(spec: SocketSpec, content: string): void {
  const body = JSON.stringify({ content, nonce: `w${workerId}n${++nonce}` });
  const req = request(
    `${baseUrl}/api/channels/${spec.channelId}/messages`,
    {
      method: 'POST',
      agent,
      headers: {
        authorization: `Bearer ${spec.token}`,
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
      },
    },
    (res) => {
      if (res.statusCode !== 201) errors++;
      res.resume();
    },
  );
  req.on('error', () => errors++);
  req.end(body);
}

function onFrame(data: WebSocket.RawData): void {
  lastFrameAt = performance.now();
  const s = data.toString();
  if (s.startsWith('{"op":"reply"')) {
    if (s.includes('"ok":false')) errors++;
    return;
  }
  const i = s.indexOf('"b|');
  if (i < 0) return;
  const j = s.indexOf('|', i + 3);
  const k = s.indexOf('|', j + 1);
  if (Number(s.slice(i + 3, j)) !== currentStep) return;
  received++;
  hist.record(clock() - Number(s.slice(j + 1, k)));
}

function open(url: string, spec: SocketSpec): Promise<Sock> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    const fail = (err: Error) => reject(err);
    ws.once('error', fail);
    ws.once('close', (code) => reject(new Error(`closed ${code} before ready`)));
    ws.once('open', () => {
      if (kind === 'baseline') return done();
      ws.send(JSON.stringify({ op: 'identify', d: { token: spec.token } }));
      const onReady = (data: WebSocket.RawData) => {
        if (data.toString().startsWith('{"op":"ready"')) {
          ws.off('message', onReady);
          done();
        }
      };
      ws.on('message', onReady);
    });
    function done() {
      ws.removeAllListeners('error');
      ws.removeAllListeners('close');
      ws.on('error', () => {});
      ws.on('close', () => {
        if (currentStep >= 0) closedDuringStep++;
      });
      ws.on('message', onFrame);
      resolve({ ws, spec });
    }
  });
}

const { ready } = serve({
  async connect(args: {
    kind: 'decentra' | 'baseline';
    url: string;
    sockets: SocketSpec[];
    concurrency: number;
  }) {
    kind = args.kind;
    baseUrl = args.url;
    const specs = [...args.sockets];
    const opened: Sock[] = [];
    const t0 = performance.now();
    const lane = async () => {
      for (let spec = specs.shift(); spec; spec = specs.shift()) {
        const wsUrl =
          kind === 'baseline'
            ? `${args.url.replace(/^http/, 'ws')}/room/${spec.room}`
            : `${args.url.replace(/^http/, 'ws')}/ws`;
        opened.push(await open(wsUrl, spec));
      }
    };
    await Promise.all(Array.from({ length: args.concurrency }, lane));
    // Interleave rooms so that round-robin sending spreads over rooms and senders.
    opened.sort((a, b) => a.spec.room - b.spec.room);
    const byRoom = new Map<number, Sock[]>();
    for (const s of opened) byRoom.set(s.spec.room, [...(byRoom.get(s.spec.room) ?? []), s]);
    const lists = [...byRoom.values()];
    socks = [];
    for (let i = 0; socks.length < opened.length; i++)
      for (const l of lists) if (l[i]) socks.push(l[i] as Sock);
    return { sockets: socks.length, ms: performance.now() - t0 };
  },
  /**
   * Sends `rate` messages/s for `durationMs` (over the gateway, or `via` REST: the same message,
   * its copies seen on the room's sockets all the same), waits `drainMs`, reports what it saw.
   */
  async step({
    id,
    rate,
    durationMs,
    drainMs,
    via = 'gateway',
  }: {
    id: number;
    rate: number;
    durationMs: number;
    drainMs: number;
    via?: 'gateway' | 'rest';
  }) {
    currentStep = id;
    hist = new Histogram();
    received = 0;
    errors = 0;
    closedDuringStep = 0;
    const sentPerRoom: Record<number, number> = {};
    let sent = 0;
    let cursor = 0;
    const t0 = performance.now();
    let lagMax = 0;
    await new Promise<void>((resolve) => {
      let last = t0;
      const tick = () => {
        const now = performance.now();
        lagMax = Math.max(lagMax, now - last - 2);
        last = now;
        const elapsed = Math.min(now - t0, durationMs);
        const due = Math.floor((rate * elapsed) / 1000) - sent;
        for (let n = 0; n < due && socks.length > 0; n++) {
          const s = socks[cursor++ % socks.length] as Sock;
          const content = `b|${id}|${clock().toFixed(3)}|w${workerId}`;
          if (kind === 'baseline') {
            s.ws.send(`{"op":"send_message","d":{"content":"${content}"}}`);
          } else if (via === 'rest') {
            restSend(s.spec, content);
          } else {
            nonce++;
            s.ws.send(
              `{"op":"send_message","ref":"${nonce}","d":{"channelId":"${s.spec.channelId}","content":"${content}","nonce":"w${workerId}n${nonce}"}}`,
            );
          }
          sentPerRoom[s.spec.room] = (sentPerRoom[s.spec.room] ?? 0) + 1;
          sent++;
        }
        if (elapsed >= durationMs) resolve();
        else setTimeout(tick, 2);
      };
      tick();
    });
    const sendMs = performance.now() - t0;
    await sleep(drainMs);
    currentStep = -1;
    return {
      sent,
      sentPerRoom,
      received,
      errors,
      closed: closedDuringStep,
      sendMs,
      lagMaxMs: lagMax,
      hist: hist.sparse(),
    };
  },
  /**
   * Waits until nothing has arrived for `quietMs` (at most `maxMs`): an overloaded step leaves a
   * backlog behind, and the next step must start from an idle server, not inherit it.
   */
  async settle({ quietMs, maxMs }: { quietMs: number; maxMs: number }) {
    const t0 = performance.now();
    while (performance.now() - lastFrameAt < quietMs && performance.now() - t0 < maxMs) await sleep(100);
    return { waitedMs: performance.now() - t0 };
  },
  shutdown() {
    for (const s of socks) s.ws.terminate();
    setTimeout(() => process.exit(0), 10);
    return {};
  },
});
ready({ pid: process.pid });
