import type { Duplex } from 'node:stream';

const corked = new Set<Duplex>();

function uncorkAll(): void {
  for (const socket of corked) socket.uncork();
  corked.clear();
}

/**
 * Holds a socket's writes until the current tick's work is done, so that the frames one turn sends
 * to one socket (a group of messages committed together, each event and its ack) leave in one
 * write instead of one system call each. Nothing waits: the tick ends before any I/O would.
 */
export function corkForThisTick(socket: Duplex): void {
  if (corked.has(socket)) return;
  socket.cork();
  corked.add(socket);
  if (corked.size === 1) process.nextTick(uncorkAll);
}
