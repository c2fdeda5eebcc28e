import type { RouteHandlers } from '../../http/api.js';
import type { Storage } from '../../storage/db.js';

/** 200 only while the database answers; load balancers and compose health checks read this. */
export function healthRoutes(deps: { storage: Storage; timeoutMs?: number }): RouteHandlers<'health'> {
  return {
    health: async ({ req, reply }) => {
      try {
        await withTimeout(deps.storage.ping(), deps.timeoutMs ?? 2_000);
        return { status: 'ok', database: 'ok' };
      } catch (err) {
        req.log.warn({ err }, 'health check: database did not answer');
        reply.status(503);
        return { status: 'unavailable', database: 'down' };
      }
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
