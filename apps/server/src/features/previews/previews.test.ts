import type { LinkEmbed, Message, Server } from '@decentra/protocol';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type LinkSite, send, startLinkSite } from '../../../test/link-site.js';
import { ManualClock } from '../../../test/manual-clock.js';
import { type Person, people, serverWith, textChannelOf } from '../../../test/people.js';
import { mp4Header, png } from '../../../test/png.js';
import { startTestServer, type TestServer } from '../../../test/test-server.js';
import { TestSocket } from '../../../test/ws-client.js';
import { MediaSigner } from './media-signer.js';
import { cachedPreview } from './previews.repo.js';

const ARTICLE = `<!doctype html><html><head>
<meta charset="utf-8"><title>Fallback title</title>
<meta property="og:title" content="Cats &amp; dogs">
<meta property="og:description" content="  Everything about
  cats. ">
<meta property="og:site_name" content="Pet News">
<meta property="og:image" content="/card.png">
<meta property="og:image:width" content="640"><meta property="og:image:height" content="320">
</head><body><meta property="og:title" content="not this one"><p>${'words '.repeat(1000)}</p></body></html>`;

/** windows-1252 by the header: "café" is 63 61 66 E9. */
const LATIN_PAGE = Buffer.concat([
  Buffer.from('<html><head><title>caf', 'latin1'),
  Buffer.from([0xe9]),
  Buffer.from('</title></head></html>', 'latin1'),
]);

let site: LinkSite;
let server: TestServer;
let ann: Person;
let ben: Person;
let guild: Server;
let channel: string;
let signer: MediaSigner;
const clock = new ManualClock();

beforeAll(async () => {
  site = await startLinkSite({
    '/article': send('text/html; charset=utf-8', ARTICLE),
    '/latin': send('text/html; charset=windows-1252', LATIN_PAGE),
    '/nothing': send('text/html', '<html><head></head><body>no meta</body></html>'),
    '/card.png': send('image/png', png(64, 32)),
    '/photo.png': send('image/png', png(120, 90)),
    '/proxied.png': send('image/png', png(10, 10)),
    '/disguised.png': send('image/png', '<html><script>alert(1)</script></html>'),
    '/vector.svg': send(
      'image/svg+xml',
      '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    ),
    '/page.html': send('text/html', '<html></html>'),
    '/big.png': send('image/png', Buffer.concat([png(1, 1), Buffer.alloc(300_000)])),
    '/clip.mp4': send('video/mp4', Buffer.concat([mp4Header(), Buffer.alloc(1000, 7)])),
    '/yt/oembed': send('application/json', JSON.stringify({ title: 'Never gonna', author_name: 'Rick' })),
    '/yt/vi/dQw4w9WgXcQ/hqdefault.jpg': send('image/jpeg', png(48, 36)),
  });
  server = await startTestServer({
    clock,
    config: { allowPrivateFetch: true },
    sendLimits: { points: 1000, windowSeconds: 5 },
    previews: {
      youtube: { oembedUrl: `${site.origin}/yt/oembed`, thumbnailBase: `${site.origin}/yt` },
      media: { imageBytes: 200_000 },
    },
  });
  signer = new MediaSigner(server.app.encryptionKey);
  [ann, ben] = await people(server.url, ['ann', 'ben']);
  guild = await serverWith(ann, 'Links', [ben]);
  channel = textChannelOf(guild);
});
afterAll(async () => {
  await server?.close();
  await site?.close();
});

/** Sends `content` as ann; what ben's socket hears: the message, then its previews' update. */
async function sendAndPreview(
  content: string,
): Promise<{ sent: Message; updated: Message; order: number[] }> {
  const { socket } = await TestSocket.identified(server.wsUrl, ben.token);
  try {
    const sent = await ann.rest.sendMessage({ channelId: channel, content });
    const created = await socket.nextEvent('message_create', (m) => m.id === sent.id);
    const update = await socket.nextEvent(
      'message_update',
      (m) => m.id === sent.id && (m.embeds?.length ?? 0) > 0,
    );
    return {
      sent,
      updated: update.d,
      order: [socket.frames.indexOf(created), socket.frames.indexOf(update)],
    };
  } finally {
    socket.close();
  }
}

const proxied = (url: string) => signer.path(url);

async function getMedia(path: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${server.url}${path}`, {
    headers: { authorization: `Bearer ${ann.token}`, ...headers },
  });
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

describe('link previews', () => {
  it("adds a page's OpenGraph card to the message after it was sent, its picture through our proxy", async () => {
    const url = `${site.origin}/article`;
    const { sent, updated, order } = await sendAndPreview(`look ${url}`);
    expect(sent.embeds).toBeUndefined();
    expect(order[0]).toBeLessThan(order[1] ?? -1);
    expect(updated.embeds).toEqual<LinkEmbed[]>([
      {
        url,
        kind: 'link',
        title: 'Cats & dogs',
        description: 'Everything about cats.',
        siteName: 'Pet News',
        image: { url: proxied(`${site.origin}/card.png`), width: 640, height: 320 },
      },
    ]);
    expect(updated.content).toBe(`look ${url}`);
    // History carries it.
    const [stored] = await ben.rest.listMessages({ channelId: channel, around: sent.id, limit: 1 });
    expect(stored?.embeds).toEqual(updated.embeds);
  });

  it('answers a link posted again from the cache: the site is not asked twice', async () => {
    const url = `${site.origin}/article`;
    expect(site.hits('/article')).toBe(1);
    const { updated } = await sendAndPreview(`again ${url}`);
    expect(updated.embeds?.[0]).toMatchObject({ url, kind: 'link', title: 'Cats & dogs' });
    expect(site.hits('/article')).toBe(1);
  });

  it('fetches a cached link again once its preview is a day old', async () => {
    const url = `${site.origin}/article`;
    clock.advance(24 * 60 * 60 * 1000 + 1);
    await sendAndPreview(`a day later ${url}`);
    expect(site.hits('/article')).toBe(2);
  });

  it('decodes the page by its charset, and leaves links that show nothing out', async () => {
    const { updated } = await sendAndPreview(`${site.origin}/nothing and ${site.origin}/latin`);
    expect(updated.embeds).toEqual([{ url: `${site.origin}/latin`, kind: 'link', title: 'café' }]);
    expect((await cachedPreview(server.app.storage.db, `${site.origin}/nothing`))?.embed).toBeNull();
  });

  it('a picture linked directly: an image embed with its size, served by the proxy', async () => {
    const url = `${site.origin}/photo.png`;
    const { updated } = await sendAndPreview(url);
    expect(updated.embeds).toEqual([
      { url, kind: 'image', image: { url: proxied(url), width: 120, height: 90 } },
    ]);
    const media = await getMedia(proxied(url));
    expect(media.status).toBe(200);
    expect(media.headers.get('content-type')).toBe('image/png');
    expect(media.body.equals(png(120, 90))).toBe(true);
    // Fetched whole for its preview, it was kept: the reader's load did not ask the host again.
    expect(site.hits('/photo.png')).toBe(1);
  });

  it('YouTube: the title by oEmbed, the thumbnail through the proxy', async () => {
    const url = 'https://youtu.be/dQw4w9WgXcQ';
    const { updated } = await sendAndPreview(`music ${url}`);
    const thumbnail = `${site.origin}/yt/vi/dQw4w9WgXcQ/hqdefault.jpg`;
    expect(updated.embeds).toEqual([
      {
        url,
        kind: 'youtube',
        youtubeId: 'dQw4w9WgXcQ',
        siteName: 'YouTube',
        title: 'Never gonna',
        description: 'Rick',
        image: { url: proxied(thumbnail), width: 480, height: 360 },
      },
    ]);
    expect((await getMedia(proxied(thumbnail))).status).toBe(200);
    expect(site.hits('/yt/oembed')).toBe(1);
  });

  it('an edit to other links drops the old previews at once and adds the new ones after', async () => {
    const article = `${site.origin}/article`;
    const photo = `${site.origin}/photo.png`;
    const { sent } = await sendAndPreview(`first ${article}`);
    const { socket } = await TestSocket.identified(server.wsUrl, ben.token);
    const from = socket.frames.length;
    await ann.rest.editMessage({ channelId: channel, messageId: sent.id, content: `now ${photo}` });
    const edited = await socket.nextEvent('message_update', (m) => m.id === sent.id, 5_000, from);
    expect(edited.d.content).toBe(`now ${photo}`);
    expect(edited.d.embeds).toBeUndefined();
    const previewed = await socket.nextEvent(
      'message_update',
      (m) => m.id === sent.id && (m.embeds?.length ?? 0) > 0,
      5_000,
      from,
    );
    expect(previewed.d.embeds?.map((e) => e.url)).toEqual([photo]);
    socket.close();
  });
});

describe('the media proxy', () => {
  const url = () => `${site.origin}/proxied.png`;

  it('serves only URLs this server signed, to logged-in users', async () => {
    const path = `/api/media/proxy?url=${encodeURIComponent(url())}`;
    expect((await getMedia(path)).status).toBe(400);
    expect((await getMedia(`${path}&sig=${signer.sign(`${url()}x`)}`)).status).toBe(403);
    const other = new MediaSigner(Buffer.alloc(32, 9));
    expect((await getMedia(other.path(url()))).status).toBe(403);
    expect((await fetch(`${server.url}${proxied(url())}`)).status).toBe(401);
    expect(site.hits('/proxied.png')).toBe(0);
  });

  it('serves a picture as the bytes show it, sandboxed, and keeps it: the host is asked once', async () => {
    const first = await getMedia(proxied(url()));
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('image/png');
    expect(first.headers.get('x-content-type-options')).toBe('nosniff');
    expect(first.headers.get('content-security-policy')).toMatch(/^sandbox/);
    expect(first.headers.get('cache-control')).toMatch(/private/);
    const second = await getMedia(proxied(url()));
    expect(second.body.equals(first.body)).toBe(true);
    expect(site.hits('/proxied.png')).toBe(1);
  });

  it('refuses what is no picture or video: a page, an SVG, HTML named .png', async () => {
    for (const path of ['/page.html', '/vector.svg', '/disguised.png']) {
      const res = await getMedia(proxied(`${site.origin}${path}`));
      expect(res.status, path).toBe(400);
      expect(res.headers.get('content-type'), path).toMatch(/json/);
    }
  });

  it('refuses a picture over the size cap', async () => {
    expect((await getMedia(proxied(`${site.origin}/big.png`))).status).toBe(413);
  });

  it('serves a video with Range', async () => {
    const clip = proxied(`${site.origin}/clip.mp4`);
    const part = await getMedia(clip, { range: 'bytes=4-11' });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-type')).toBe('video/mp4');
    expect(part.headers.get('content-range')).toBe('bytes 4-11/1024');
    expect(part.body.toString('latin1')).toBe('ftypisom');
    const whole = await getMedia(clip);
    expect(whole.body.length).toBe(1024);
    expect(site.hits('/clip.mp4')).toBe(1);
  });
});

describe('with private addresses refused (the default)', () => {
  let guarded: TestServer;
  afterAll(() => guarded?.close());

  it('never fetches a link to a loopback address, nor proxies one', async () => {
    guarded = await startTestServer();
    const [cat] = await people(guarded.url, ['cat']);
    if (!cat) throw new Error('no account');
    const home = await serverWith(cat, 'Home');
    const link = `${site.origin}/photo.png?private`;
    const before = site.hits('/photo.png');
    const sent = await cat.rest.sendMessage({ channelId: textChannelOf(home), content: link });
    // The preview was tried and refused (cached as nothing to show), and the site never asked.
    await vi.waitFor(async () => {
      expect(await cachedPreview(guarded.app.storage.db, link)).toBeDefined();
    });
    expect((await cachedPreview(guarded.app.storage.db, link))?.embed).toBeNull();
    const [stored] = await cat.rest.listMessages({ channelId: sent.channelId, around: sent.id, limit: 1 });
    expect(stored?.embeds).toBeUndefined();
    const signed = new MediaSigner(guarded.app.encryptionKey).path(link);
    const res = await fetch(`${guarded.url}${signed}`, { headers: { authorization: `Bearer ${cat.token}` } });
    expect(res.status).toBe(404);
    expect(site.hits('/photo.png')).toBe(before);
  });
});

describe('a flood of links', () => {
  let flooded: TestServer;
  let held: LinkSite;
  let release: () => void = () => {};
  afterAll(async () => {
    release();
    await flooded?.close();
    await held?.close();
  });

  it('is bounded: one message at a time here, two waiting, the rest get no preview and are never fetched', async () => {
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const page = send('text/html', '<head><title>a page</title></head>');
    const routes = Object.fromEntries(
      [1, 2, 3, 4, 5, 6].map((n) => [
        `/p${n}`,
        (req: Parameters<typeof page>[0], res: Parameters<typeof page>[1]) => {
          void gate.then(() => page(req, res));
        },
      ]),
    );
    held = await startLinkSite(routes);
    flooded = await startTestServer({
      config: { allowPrivateFetch: true },
      sendLimits: { points: 1000, windowSeconds: 5 },
      previews: { limits: { concurrency: 1, queued: 2 } },
    });
    const [dan] = await people(flooded.url, ['dan']);
    if (!dan) throw new Error('no account');
    const home = textChannelOf(await serverWith(dan, 'Flood'));
    const { socket } = await TestSocket.identified(flooded.wsUrl, dan.token);
    const sent: Message[] = [];
    for (const n of [1, 2, 3, 4, 5])
      sent.push(await dan.rest.sendMessage({ channelId: home, content: `${held.origin}/p${n}` }));
    // The first is being fetched (held), the next two wait, the last two found the queue full.
    await vi.waitFor(() => expect(held.hits('/p1')).toBe(1));
    await vi.waitFor(() =>
      expect(flooded.logs.some((l) => l.includes('link preview queue full'))).toBe(true),
    );
    release();
    const third = sent[2]?.id;
    await socket.nextEvent('message_update', (m) => m.id === third && (m.embeds?.length ?? 0) > 0);
    const sixth = await dan.rest.sendMessage({ channelId: home, content: `${held.origin}/p6` });
    // Jobs run in order, one at a time: once the sixth's preview is out, every job queued before it is done.
    await socket.nextEvent('message_update', (m) => m.id === sixth.id && (m.embeds?.length ?? 0) > 0);
    const previewed = socket
      .payloads('message_update')
      .filter((m) => (m.embeds?.length ?? 0) > 0)
      .map((m) => m.id);
    expect(previewed).toEqual([...sent.slice(0, 3).map((m) => m.id), sixth.id]);
    expect([4, 5].map((n) => held.hits(`/p${n}`))).toEqual([0, 0]);
    socket.close();
  });
});

describe('the SSRF guard, end to end (private addresses refused, one loopback address playing a public site)', () => {
  let guarded: TestServer;
  let pub: LinkSite;
  let inner: LinkSite;
  afterAll(async () => {
    await guarded?.close();
    await pub?.close();
    await inner?.close();
  });

  it('previews the public site, and refuses every private address, however it is written or reached', async () => {
    inner = await startLinkSite({ '/secret': send('text/html', '<head><title>internal</title></head>') });
    const innerPort = new URL(inner.origin).port;
    const huge = Buffer.concat([
      Buffer.from('<html><head><title>huge but fine</title></head><body>'),
      Buffer.alloc(5 * 1024 * 1024, 'a'),
    ]);
    pub = await startLinkSite(
      {
        '/ok': send('text/html', '<head><title>public page</title></head>'),
        '/huge': send('text/html', huge),
        '/to-private': (_req, res) => {
          res.writeHead(302, { location: `${inner.origin}/secret` });
          res.end();
        },
        '/slow': () => {},
      },
      '127.0.0.2',
    );
    guarded = await startTestServer({
      sendLimits: { points: 1000, windowSeconds: 5 },
      previews: { allowPrivate: new Set(['127.0.0.2']), timeoutMs: 500 },
    });
    const [eve] = await people(guarded.url, ['eve']);
    if (!eve) throw new Error('no account');
    const home = textChannelOf(await serverWith(eve, 'Guarded'));
    const refusedLinks = [
      `${inner.origin}/secret`,
      `http://[::1]:${innerPort}/secret`,
      'http://10.0.0.1/secret',
      'http://169.254.169.254/latest/meta-data/',
      `http://[::ffff:127.0.0.1]:${innerPort}/secret`,
      `http://localhost:${innerPort}/secret`,
      `${pub.origin}/to-private`,
      `${pub.origin}/slow`,
    ];
    const { socket } = await TestSocket.identified(guarded.wsUrl, eve.token);
    const sent: Message[] = [];
    for (let i = 0; i < refusedLinks.length; i += 4) {
      sent.push(
        await eve.rest.sendMessage({ channelId: home, content: refusedLinks.slice(i, i + 4).join(' ') }),
      );
    }
    const fine = await eve.rest.sendMessage({
      channelId: home,
      content: `${pub.origin}/ok ${pub.origin}/huge`,
    });
    const update = await socket.nextEvent('message_update', (m) => m.id === fine.id);
    expect(update.d.embeds?.map((e) => e.title)).toEqual(['public page', 'huge but fine']);
    // Every refused link was tried (and cached as nothing to show) without reaching the inside.
    await vi.waitFor(async () => {
      for (const link of refusedLinks) {
        const normalised = new URL(link).href;
        expect(await cachedPreview(guarded.app.storage.db, normalised), link).toEqual(
          expect.objectContaining({ embed: null }),
        );
      }
    });
    expect(inner.hits('/secret')).toBe(0);
    expect(pub.hits('/to-private')).toBe(1);
    expect(socket.payloads('message_update').filter((m) => sent.some((s) => s.id === m.id))).toEqual([]);
    socket.close();
  });
});
