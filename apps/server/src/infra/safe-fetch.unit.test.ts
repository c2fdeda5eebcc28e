import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FetchRefusal, FetchRefusedError, SafeFetcher, type SafeFetcherOptions } from './safe-fetch.js';

/** A loopback HTTP server that counts the requests it got, by path. */
async function loopback(host: string, handle: (req: IncomingMessage, res: ServerResponse) => void) {
  const hits = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const path = req.url ?? '/';
    hits.set(path, (hits.get(path) ?? 0) + 1);
    handle(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    hits: (path: string) => hits.get(path) ?? 0,
    total: () => [...hits.values()].reduce((a, b) => a + b, 0),
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

type Loopback = Awaited<ReturnType<typeof loopback>>;

const PAGE = '<html><head><title>Hi</title></head><body>hello</body></html>';
const BIG = 5 * 1024 * 1024;

function fetcher(allowPrivate: SafeFetcherOptions['allowPrivate'], timeoutMs = 5_000): SafeFetcher {
  return new SafeFetcher({ allowPrivate, timeoutMs, maxRedirects: 3, userAgent: 'test' });
}

async function refusal(promise: Promise<unknown>): Promise<FetchRefusal> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof FetchRefusedError)) throw new Error(`not refused: ${String(err)}`);
  return err.reason;
}

let site: Loopback;
let v6: Loopback;
let inner: Loopback;
const open: SafeFetcher[] = [];
const using = (f: SafeFetcher) => {
  open.push(f);
  return f;
};

beforeAll(async () => {
  // The "public" site of these tests is 127.0.0.2 (the one address let through where a test says
  // so); 127.0.0.1 plays the private network behind it.
  site = await loopback('127.0.0.2', (req, res) => {
    const path = req.url ?? '/';
    if (path === '/page') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'set-cookie': 'track=1' });
      res.end(PAGE);
    } else if (path === '/to-private') {
      res.writeHead(302, { location: `http://127.0.0.1:${inner.port}/secret` });
      res.end();
    } else if (path === '/to-metadata') {
      res.writeHead(301, { location: 'http://169.254.169.254/latest/meta-data/' });
      res.end();
    } else if (path === '/to-page') {
      res.writeHead(307, { location: '/page' });
      res.end();
    } else if (path === '/loop') {
      res.writeHead(302, { location: '/loop' });
      res.end();
    } else if (path === '/slow') {
      // Never answers.
    } else if (path === '/drip') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.write('<html><head>');
      // Then nothing more, for ever.
    } else if (path === '/huge') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(Buffer.alloc(BIG, 'a'));
    } else if (path === '/huge-declared') {
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': BIG });
      res.end(Buffer.alloc(BIG));
    } else if (path === '/gzip-bomb') {
      res.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'gzip' });
      res.end(gzipSync(Buffer.alloc(BIG, 'a')));
    } else if (path === '/cookies') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(JSON.stringify({ cookie: req.headers.cookie ?? null }));
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  inner = await loopback('127.0.0.1', (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('internal secret');
  });
  v6 = await loopback('::1', (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('v6 secret');
  });
});

afterAll(async () => {
  for (const f of open) f.close();
  await Promise.all([site.close(), inner.close(), v6.close()]);
});

describe('with private addresses refused (the default)', () => {
  it('refuses loopback, private, link-local/metadata and mapped addresses, before connecting', async () => {
    const f = using(fetcher(false));
    for (const url of [
      `http://127.0.0.1:${inner.port}/`,
      `http://[::1]:${v6.port}/`,
      'http://10.0.0.1/',
      'http://169.254.169.254/latest/meta-data/',
      `http://[::ffff:127.0.0.1]:${inner.port}/`,
      'http://[::ffff:a9fe:a9fe]/',
      'http://0.0.0.0/',
      'http://[fe80::1]/',
      'http://224.0.0.1/',
      `https://127.0.0.1:${inner.port}/`,
      // Other spellings of 127.0.0.1 (the URL parser makes them the dotted form).
      `http://2130706433:${inner.port}/`,
      `http://0x7f.1:${inner.port}/`,
      `http://127.1:${inner.port}/`,
    ]) {
      expect(await refusal(f.fetch(url, { accept: '*/*', maxBytes: 1000, overflow: 'refuse' })), url).toBe(
        'private_address',
      );
    }
    expect(inner.total()).toBe(0);
    expect(v6.total()).toBe(0);
  });

  it('refuses a name that resolves to loopback', async () => {
    const f = using(fetcher(false));
    const reason = await refusal(
      f.fetch(`http://localhost:${inner.port}/`, { accept: '*/*', maxBytes: 1000, overflow: 'refuse' }),
    );
    expect(reason).toBe('private_address');
    expect(inner.total()).toBe(0);
  });

  it('fetches only http and https', async () => {
    const f = using(fetcher(false));
    for (const url of [
      'file:///etc/passwd',
      'ftp://example.com/',
      'gopher://example.com/',
      'data:text/html,x',
    ]) {
      expect(await refusal(f.fetch(url, { accept: '*/*', maxBytes: 1000, overflow: 'refuse' }))).toBe(
        'bad_url',
      );
    }
  });
});

describe('with one loopback address let through (as a public site would be)', () => {
  const allowSite = () => using(fetcher(new Set(['127.0.0.2'])));

  it('fetches it, sends no cookie and keeps none', async () => {
    const f = allowSite();
    const page = await f.fetch(`http://127.0.0.2:${site.port}/page`, {
      accept: 'text/html',
      maxBytes: 1000,
      overflow: 'truncate',
    });
    expect(page).toMatchObject({ status: 200, mediaType: 'text/html', charset: 'utf-8', truncated: false });
    expect(page.body.toString()).toBe(PAGE);
    const echo = await f.fetch(`http://127.0.0.2:${site.port}/cookies`, {
      accept: '*/*',
      maxBytes: 1000,
      overflow: 'refuse',
    });
    expect(JSON.parse(echo.body.toString())).toEqual({ cookie: null });
  });

  it('follows a redirect on the same site, and checks every hop: a redirect to a private address is refused', async () => {
    const f = allowSite();
    const followed = await f.fetch(`http://127.0.0.2:${site.port}/to-page`, {
      accept: '*/*',
      maxBytes: 1000,
      overflow: 'refuse',
    });
    expect(followed.url.pathname).toBe('/page');
    for (const path of ['/to-private', '/to-metadata']) {
      const reason = await refusal(
        f.fetch(`http://127.0.0.2:${site.port}${path}`, {
          accept: '*/*',
          maxBytes: 1000,
          overflow: 'refuse',
        }),
      );
      expect(reason, path).toBe('private_address');
    }
    expect(site.hits('/to-private')).toBe(1);
    expect(inner.total()).toBe(0);
    expect(
      await refusal(
        f.fetch(`http://127.0.0.2:${site.port}/loop`, { accept: '*/*', maxBytes: 1000, overflow: 'refuse' }),
      ),
    ).toBe('too_many_redirects');
  });

  it('gives up on a server that does not answer, or answers too slowly, at the deadline', async () => {
    const f = using(fetcher(new Set(['127.0.0.2']), 300));
    for (const path of ['/slow', '/drip']) {
      const reason = await refusal(
        f.fetch(`http://127.0.0.2:${site.port}${path}`, {
          accept: '*/*',
          maxBytes: 1000,
          overflow: 'truncate',
        }),
      );
      expect(reason, path).toBe('timeout');
    }
  });

  it('reads a huge page only up to the cap, or refuses it; a gzip bomb is capped after decompression', async () => {
    const f = allowSite();
    const cut = await f.fetch(`http://127.0.0.2:${site.port}/huge`, {
      accept: '*/*',
      maxBytes: 1024 * 1024,
      overflow: 'truncate',
    });
    expect(cut.body.length).toBe(1024 * 1024);
    expect(cut.truncated).toBe(true);
    expect(
      await refusal(
        f.fetch(`http://127.0.0.2:${site.port}/huge`, {
          accept: '*/*',
          maxBytes: 1024 * 1024,
          overflow: 'refuse',
        }),
      ),
    ).toBe('too_large');
    expect(
      await refusal(
        f.fetch(`http://127.0.0.2:${site.port}/huge-declared`, {
          accept: '*/*',
          maxBytes: 1024,
          overflow: 'refuse',
        }),
      ),
    ).toBe('too_large');
    const bomb = await f.fetch(`http://127.0.0.2:${site.port}/gzip-bomb`, {
      accept: '*/*',
      maxBytes: 64 * 1024,
      overflow: 'truncate',
    });
    expect(bomb.body.length).toBe(64 * 1024);
  });

  it('still refuses the other private addresses', async () => {
    const f = allowSite();
    expect(
      await refusal(
        f.fetch(`http://127.0.0.1:${inner.port}/`, { accept: '*/*', maxBytes: 1000, overflow: 'refuse' }),
      ),
    ).toBe('private_address');
    expect(inner.total()).toBe(0);
  });
});

describe('with private addresses allowed (DECENTRA_ALLOW_PRIVATE_FETCH, a LAN install)', () => {
  it('reaches loopback', async () => {
    const f = using(fetcher(true));
    const res = await f.fetch(`http://127.0.0.1:${inner.port}/`, {
      accept: '*/*',
      maxBytes: 1000,
      overflow: 'refuse',
    });
    expect(res.body.toString()).toBe('internal secret');
  });
});
