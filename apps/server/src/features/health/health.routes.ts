import * as z from 'zod';
import type { App } from '../../http/types.js';
import type { Storage } from '../../storage/db.js';

const HealthSchema = z.object({ status: z.enum(['ok', 'unavailable']), database: z.enum(['ok', 'down']) });

/** 200 only while the database answers; load balancers and compose health checks read this. */
export function healthRoutes(app: App, deps: { storage: Storage }): void {
  app.get(
    '/healthz',
    {
      schema: {
        tags: ['health'],
        summary: 'Liveness: 200 when the database answers',
        response: { 200: HealthSchema, 503: HealthSchema },
      },
    },
    async (req, reply) => {
      try {
        await withTimeout(deps.storage.ping(), 2_000);
        return { status: 'ok' as const, database: 'ok' as const };
      } catch (err) {
        req.log.warn({ err }, 'health check: database did not answer');
        return reply.status(503).send({ status: 'unavailable', database: 'down' });
      }
    },
  );
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
