import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { FastifyRequest } from 'fastify';
import { errorBody } from '../http/error-handler.js';
import type { App } from '../http/types.js';
import type { Metrics } from './metrics.js';

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * Whether the request carries `Authorization: Bearer <token>`. The digests are compared, so the
 * comparison takes as long whatever the length or the first differing byte of what was sent.
 */
export function carriesToken(header: string | undefined, token: string): boolean {
  const sent = header === undefined ? undefined : /^Bearer\s+(\S+)$/i.exec(header)?.[1];
  return timingSafeEqual(digest(sent ?? ''), digest(token)) && sent !== undefined;
}

/**
 * `GET /metrics` on the main port, for the holder of the metrics token only. Outside the route
 * contract (and the OpenAPI document): it is for Prometheus, not for clients, and its credential
 * is the operator's token, not a login session.
 */
export function registerMetricsRoute(app: App, metrics: Metrics, token: string): void {
  app.get('/metrics', { schema: { hide: true } }, async (req: FastifyRequest, reply) => {
    if (!carriesToken(req.headers.authorization, token)) {
      return reply
        .status(401)
        .type('application/json')
        .send(
          errorBody('unauthorized', 'The metrics need `Authorization: Bearer <DECENTRA_METRICS_TOKEN>`.'),
        );
    }
    const { contentType, body } = await metrics.render();
    return reply.type(contentType).send(body);
  });
}

export interface MetricsListener {
  url: string;
  close(): Promise<void>;
}

/**
 * The separate listener (DECENTRA_METRICS_LISTEN, e.g. 127.0.0.1:9100): plain HTTP, `/metrics`
 * and nothing else, for a scraper on a private address; the token too when one is set.
 */
export async function listenForMetrics(
  metrics: Metrics,
  address: { host: string; port: number },
  token: string | undefined,
): Promise<MetricsListener> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'GET' || path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    if (token !== undefined && !carriesToken(req.headers.authorization, token)) {
      res.writeHead(401, { 'content-type': 'text/plain' }).end('unauthorized\n');
      return;
    }
    metrics.render().then(
      ({ contentType, body }) => res.writeHead(200, { 'content-type': contentType }).end(body),
      () => res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics failed\n'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(address.port, address.host, () => resolve());
  });
  const bound = server.address();
  const port = typeof bound === 'object' && bound ? bound.port : address.port;
  const host = address.host.includes(':') ? `[${address.host}]` : address.host;
  return {
    url: `http://${host}:${port}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
