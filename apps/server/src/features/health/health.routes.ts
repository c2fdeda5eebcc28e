import type { Bus } from '../../bus/bus.js';
import type { RouteHandlers } from '../../http/api.js';
import type { Storage } from '../../storage/db.js';

/**
 * Liveness (`/healthz`: the process answers, so there is nothing a restart would fix) and
 * readiness (`/readyz`: its database and bus answer, so a load balancer may send it traffic).
 */
export function healthRoutes(deps: {
  storage: Storage;
  bus: Bus;
  timeoutMs?: number;
}): RouteHandlers<'health' | 'ready'> {
  const timeoutMs = deps.timeoutMs ?? 2_000;
  return {
    health: async () => ({ status: 'ok' }),
    ready: async ({ req, reply }) => {
      const [database, bus] = await Promise.all([
        withTimeout(deps.storage.ping(), timeoutMs).then(
          () => 'ok' as const,
          (err: unknown) => {
            req.log.warn({ err }, 'readiness: the database did not answer');
            return 'down' as const;
          },
        ),
        withTimeout(deps.bus.ping(), timeoutMs).catch((err: unknown) => {
          req.log.warn({ err }, 'readiness: the bus did not answer');
          return 'down' as const;
        }),
      ]);
      const ready = database === 'ok' && bus !== 'down';
      if (!ready) reply.status(503);
      return { status: ready ? 'ok' : 'unavailable', database, bus };
    },
  };
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}
