import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { generate } from 'selfsigned';

/** A picture to embed: an SVG so that no binary fixture is needed. */
const CAT_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="320" height="200" viewBox="0 0 320 200">
<rect width="320" height="200" rx="16" fill="#5865f2"/><circle cx="160" cy="110" r="60" fill="#f2f3f5"/>
<polygon points="110,70 125,20 145,60" fill="#f2f3f5"/><polygon points="210,70 195,20 175,60" fill="#f2f3f5"/>
<circle cx="138" cy="105" r="8" fill="#1e1f22"/><circle cx="182" cy="105" r="8" fill="#1e1f22"/>
<text x="160" y="190" font-family="sans-serif" font-size="16" text-anchor="middle" fill="#fff">cat.svg</text></svg>`;

/** A tall picture (1200×1600): a box that did not reserve its size would grow by far more than a screen. */
const TALL_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="1600" viewBox="0 0 1200 1600">
<rect width="1200" height="1600" fill="#3ba55d"/><circle cx="600" cy="800" r="400" fill="#f2f3f5"/></svg>`;

export interface MediaServer {
  origin: string;
  /** Holds every media answer from now on until the returned function is called (late-loading media). */
  hold(): () => void;
  /** How many media requests have been answered. */
  served(): number;
  close(): Promise<void>;
}

/**
 * Test media over HTTPS on 127.0.0.1, so the app's CSP (img-src/media-src 'self' https:) stays
 * strict; the browser is started with --ignore-certificate-errors for this self-signed one.
 */
export async function startMediaServer(): Promise<MediaServer> {
  const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 7 as const, ip: '127.0.0.1' }] }],
  });
  let gate: Promise<void> | undefined;
  let open: (() => void) | undefined;
  let served = 0;
  const server: Server = createServer({ cert: pems.cert, key: pems.private }, async (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    await gate;
    served++;
    if (path?.endsWith('tall.svg')) {
      res.writeHead(200, { 'content-type': 'image/svg+xml', 'access-control-allow-origin': '*' });
      res.end(TALL_SVG);
    } else if (path?.endsWith('.svg')) {
      res.writeHead(200, { 'content-type': 'image/svg+xml', 'access-control-allow-origin': '*' });
      res.end(CAT_SVG);
    } else if (path?.endsWith('.mp4')) {
      res.writeHead(200, { 'content-type': 'video/mp4' });
      res.end();
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `https://127.0.0.1:${port}`,
    hold: () => {
      gate = new Promise<void>((resolve) => {
        open = resolve;
      });
      return () => {
        gate = undefined;
        open?.();
      };
    },
    served: () => served,
    close: () => {
      open?.();
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
