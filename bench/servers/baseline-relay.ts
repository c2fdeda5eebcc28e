/**
 * The ceiling: a bare `ws` server that relays every frame it receives to every socket of the
 * sender's room (the room is the path, `/room/<n>`). No auth, no parsing, no storage.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { type WebSocket, WebSocketServer } from 'ws';
import { serve } from '../lib/rpc.js';

const rooms = new Map<string, Set<WebSocket>>();
const http = createServer((_req, res) => res.end('relay'));
const wss = new WebSocketServer({ server: http, perMessageDeflate: false });
wss.on('connection', (ws, req) => {
  const room = req.url ?? '/';
  const members = rooms.get(room) ?? new Set<WebSocket>();
  rooms.set(room, members);
  members.add(ws);
  ws.on('message', (data, isBinary) => {
    for (const peer of members) if (peer.readyState === peer.OPEN) peer.send(data, { binary: isBinary });
  });
  ws.on('close', () => members.delete(ws));
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
ready({ url: `http://127.0.0.1:${(http.address() as AddressInfo).port}` });
