import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { App } from './types.js';

const WEB_DIST = fileURLToPath(new URL('../../../web/dist/', import.meta.url));

const PLACEHOLDER = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Decentra</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><h1>Decentra is running</h1>
<p>The web app has not been built on this machine. The REST API is at <a href="/api/docs">/api/docs</a>;
the gateway is at <code>/ws</code>.</p></body></html>`;

/**
 * The web app's own pages (apps/web/src/app/App.tsx): chat, settings and the admin panel, and the
 * logged-out pages, among them the two that mails link to (`mailLink`: reset-password, confirm-email).
 */
const APP_PATHS = [
  '/login',
  '/forgot-password',
  '/reset-password',
  '/confirm-email',
  '/invite/*',
  '/channels/*',
  '/settings',
  '/settings/*',
  '/admin',
  '/admin/*',
];

/** Serves the built single-page app (apps/web/dist) when present, else a page saying the server is up. */
export async function registerWebApp(app: App): Promise<void> {
  if (existsSync(`${WEB_DIST}/index.html`)) {
    await app.register(fastifyStatic, {
      root: WEB_DIST,
      wildcard: false,
      index: 'index.html',
      // Hashed bundles never change; the page itself is always revalidated.
      setHeaders: (reply, path) =>
        reply.header(
          'cache-control',
          path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
        ),
    });
    // The app's own URLs (deep links, reloads, back/forward, the links in mails) all load the single page.
    const page = (_req: unknown, reply: { sendFile: (f: string) => unknown }) => reply.sendFile('index.html');
    for (const path of APP_PATHS) app.get(path, { schema: { hide: true } }, page);
    return;
  }
  app.get('/', { schema: { hide: true } }, async (_req, reply) =>
    reply.type('text/html; charset=utf-8').send(PLACEHOLDER),
  );
}
