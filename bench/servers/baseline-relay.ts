/**
 * The ceiling: a bare `ws` server that relays every frame it receives to every socket of the
 * sender's room (the room is the path, `/room/<n>`). No auth, no parsing, no storage.
 *
 * BENCH_RELAY_CORK picks how it writes (a baseline must be the best a bare tool can do, and
 * Decentra corks its writes, see apps/server/src/gateway/cork.ts):
 * - `turn` (default, the baseline): each TCP socket is corked at its first frame and uncorked in
 *   `setImmediate`, once the loop has run every read callback of this turn, so all the frames one
 *   turn relays to a socket leave in one writev. Decentra gets the same batching from its group
 *   commit (one INSERT per turn, then every event of the group sent in one tick).
 * - `tick`: uncorked in `process.nextTick`, after the read callback that sent the frames (what
 *   cork.ts does; for a relay that is one inbound chunk, so it batches little).
 * - `off`: every frame written on its own (the relay before corking, kept for comparison).
 */
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { type WebSocket, WebSocketServer } from 'ws';
import { serve } from '../lib/rpc.js';

const MODES = ['turn', 'tick', 'off'] as const;
type CorkMode = (typeof MODES)[number];
const mode = (process.env.BENCH_RELAY_CORK || 'turn') as CorkMode;
if (!MODES.includes(mode)) throw new Error(`BENCH_RELAY_CORK=${mode}: want one of ${MODES.join(', ')}`);

const corked = new Set<Socket>();
const uncorkAll = () => {
  for (const socket of corked) socket.uncork();
  corked.clear();
};
/** Holds the socket's writes until the end of this tick or turn (see `mode`). */
const corkOnce = (socket: Socket) => {
  if (corked.has(socket)) return;
  socket.cork();
  corked.add(socket);
  if (corked.size > 1) return;
  if (mode === 'tick') process.nextTick(uncorkAll);
  else setImmediate(uncorkAll);
};

interface Member {
  ws: WebSocket;
  socket: Socket;
}
const rooms = new Map<string, Set<Member>>();
const http = createServer((_req, res) => res.end('relay'));
const wss = new WebSocketServer({ server: http, perMessageDeflate: false });
wss.on('connection', (ws, req) => {
  const room = req.url ?? '/';
  const members = rooms.get(room) ?? new Set<Member>();
  rooms.set(room, members);
  const me: Member = { ws, socket: req.socket };
  members.add(me);
  ws.on('message', (data, isBinary) => {
    for (const peer of members) {
      if (peer.ws.readyState !== peer.ws.OPEN) continue;
      if (mode !== 'off') corkOnce(peer.socket);
      peer.ws.send(data, { binary: isBinary });
    }
  });
  ws.on('close', () => members.delete(me));
  ws.on('error', () => {});
});
await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
const eld = monitorEventLoopDelay({ resolution: 1 });
eld.enable();

const { ready } = serve({
  stats() {
    const out = { eldMaxMs: eld.max / 1e6, eldP99Ms: eld.percentile(99) / 1e6 };
    eld.reset();
    return out;
  },
  gc() {
    (globalThis as { gc?: () => void }).gc?.();
    return {};
  },
  shutdown() {
    setTimeout(() => process.exit(0), 10);
    return {};
  },
});
ready({ url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`, cork: mode });
