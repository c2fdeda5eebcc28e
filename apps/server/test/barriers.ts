import type { TestSocket } from './ws-client.js';

/**
 * A ping round trip on each socket: every frame the server had already sent it has now arrived,
 * since one socket's frames leave in order. A barrier for "this socket must not have heard X"
 * when X would have been sent before now: events of a REST call go out before its answer, and
 * those of a gateway op before its reply. Not for work the server does later on its own (presence
 * announcements, timers): those need a later event that travels the same way.
 */
export async function settled(...sockets: TestSocket[]): Promise<void> {
  await Promise.all(
    sockets.map(async (socket) => {
      const from = socket.frames.length;
      socket.send({ op: 'ping' });
      await socket.next((f) => f.op === 'pong', 5_000, from);
    }),
  );
}

/**
 * Waits for a condition on the server's own state (a session ended, a socket gone) that no frame
 * announces; fails after `timeoutMs`. Not a way to prove something did not happen.
 */
export async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
