import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type SiteHandler = (req: IncomingMessage, res: ServerResponse) => void;

export interface LinkSite {
  /** `http://<host>:<port>` */
  origin: string;
  /** Requests answered for this path (without the query). */
  hits(path: string): number;
  close(): Promise<void>;
}

/**
 * A web site of the test's own on loopback, standing in for the hosts messages link to (pages,
 * pictures, YouTube): it counts its requests, so a test can show what was (not) fetched.
 */
export async function startLinkSite(
  routes: Record<string, SiteHandler>,
  host = '127.0.0.1',
): Promise<LinkSite> {
  const hits = new Map<string, number>();
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const route = routes[path];
    if (route) route(req, res);
    else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not here');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://${host}:${port}`,
    hits: (path) => hits.get(path) ?? 0,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export const send =
  (type: string, body: string | Buffer, headers: Record<string, string> = {}): SiteHandler =>
  (_req, res) => {
    res.writeHead(200, { 'content-type': type, ...headers });
    res.end(body);
  };
