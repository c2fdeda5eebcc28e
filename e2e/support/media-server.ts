import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mp4Header, png } from '../../apps/server/test/png.js';

/** A picture to link (320×200). */
const CAT_PNG = png(320, 200, [88, 101, 242]);
/** A tall picture (1200×1600): a box that did not reserve its size would grow by far more than a screen. */
const TALL_PNG = png(1200, 1600, [59, 165, 93]);
/** YouTube's thumbnail, as its stand-in serves it. */
const THUMBNAIL_PNG = png(480, 360, [200, 30, 30]);

/** A page with an OpenGraph card. */
const ARTICLE = (origin: string) => `<!doctype html><html><head><meta charset="utf-8">
<title>Cats of the week</title>
<meta property="og:title" content="The cats of the week">
<meta property="og:description" content="Seven cats, one sofa: a report from the Photo Club.">
<meta property="og:site_name" content="Cat News">
<meta property="og:image" content="${origin}/p/card/cat.png">
<meta property="og:image:width" content="320"><meta property="og:image:height" content="200">
</head><body>…</body></html>`;

export interface MediaServer {
  origin: string;
  /** Host name of `origin` (not the app's: the browser must never ask it for anything). */
  host: string;
  /** Where the server under test asks for YouTube titles and thumbnails (this server stands in). */
  youtube: { oembedUrl: string; thumbnailBase: string };
  /** Holds every media answer from now on until the returned function is called (late-loading media). */
  hold(): () => void;
  /** How many media requests have been answered. */
  served(): number;
  close(): Promise<void>;
}

/**
 * The hosts messages link to, on 127.0.0.2 while the app is on 127.0.0.1: pictures, videos, a
 * page with an OpenGraph card, and a stand-in for YouTube's oEmbed and thumbnails. Only the
 * server under test (with DECENTRA_ALLOW_PRIVATE_FETCH) fetches from it; the browser loads what it
 * shows through the app's media proxy.
 */
export async function startMediaServer(host = '127.0.0.2'): Promise<MediaServer> {
  let gate: Promise<void> | undefined;
  let open: (() => void) | undefined;
  let served = 0;
  let origin = '';
  const server: Server = createServer(async (req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    await gate;
    served++;
    if (path.endsWith('tall.png')) {
      res.writeHead(200, { 'content-type': 'image/png' });
      res.end(TALL_PNG);
    } else if (path.endsWith('hqdefault.jpg')) {
      res.writeHead(200, { 'content-type': 'image/jpeg' });
      res.end(THUMBNAIL_PNG);
    } else if (path.endsWith('.png')) {
      res.writeHead(200, { 'content-type': 'image/png' });
      res.end(CAT_PNG);
    } else if (path.endsWith('.mp4')) {
      res.writeHead(200, { 'content-type': 'video/mp4' });
      res.end(mp4Header());
    } else if (path === '/article') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(ARTICLE(origin));
    } else if (path === '/yt/oembed') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ title: 'Never Gonna Give You Up', author_name: 'Rick Astley' }));
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  origin = `http://${host}:${port}`;
  return {
    origin,
    host,
    youtube: { oembedUrl: `${origin}/yt/oembed`, thumbnailBase: `${origin}/yt` },
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
