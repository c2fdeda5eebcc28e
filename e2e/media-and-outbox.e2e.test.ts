import { sql } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MediaSigner } from '../apps/server/src/features/previews/media-signer.js';
import { cachedPreview } from '../apps/server/src/features/previews/previews.repo.js';
import { people, serverWith, textChannelOf, type Person as User } from '../apps/server/test/people.js';
import { startTestServer, type TestServer } from '../apps/server/test/test-server.js';
import { loggedIn } from './support/accounts.js';
import { launchBrowser, type Person, say, screenshot } from './support/browser.js';
import { type MediaServer, startMediaServer } from './support/media-server.js';
import { story } from './support/story.js';

/** How far the conversation is from its bottom, in px (0: the newest message is in view at the end). */
const fromBottom = (page: Page) =>
  page.locator('.message-scroller').evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight);

/** Whether the message with `text` is inside the visible part of the conversation. */
const inView = (page: Page, text: string) =>
  page.evaluate((wanted) => {
    const scroller = document.querySelector('.message-scroller');
    const row = [...document.querySelectorAll('.message-slot')].find((r) => r.textContent?.includes(wanted));
    if (!scroller || !row) return false;
    const view = scroller.getBoundingClientRect();
    const box = row.getBoundingClientRect();
    return box.top >= view.top - 1 && box.bottom <= view.bottom + 1;
  }, text);

/**
 * A channel full of pictures and videos that load late: it opens at the newest message and stays
 * there (as media load, messages arrive, the window changes size) until the reader scrolls up.
 * The pictures are on another host (127.0.0.2) and come through the app's media proxy: the
 * browser never asks that host for anything.
 */
describe('a channel full of media', () => {
  let server: TestServer;
  let media: MediaServer;
  let browser: Browser;
  let ann: User;
  let bob: User;
  let annPage: Person;
  let a: Page;
  let galleryUrl: string;
  let galleryId: string;
  /** Every URL ann's browser asked for. */
  const requested: string[] = [];

  beforeAll(async () => {
    media = await startMediaServer();
    [server, browser] = await Promise.all([
      startTestServer({ config: { allowPrivateFetch: true }, previews: { youtube: media.youtube } }),
      launchBrowser(),
    ]);
    [ann, bob] = await people(server.url, ['ann', 'bob'] as const);
    const club = await serverWith(ann, 'Photo Club', [bob]);
    const gallery = await ann.rest.createChannel({ serverId: club.id, name: 'gallery', type: 'text' });
    galleryId = gallery.id;
    galleryUrl = `/channels/${club.id}/${gallery.id}`;
    const newest = await ann.rest.sendMessage({ channelId: gallery.id, content: 'the newest message' });
    // 40 older messages, most with a tall picture or a video, straight into the table.
    const db = server.app.storage.db as unknown as { execute(q: ReturnType<typeof sql>): Promise<unknown> };
    await db.execute(sql`
      insert into messages (id, channel_id, author_id, content, created_at)
      select ${newest.id}::bigint - 41 + g, ${gallery.id}::bigint, ${newest.author.id}::bigint,
             case g % 3 when 0 then 'look ' || ${media.origin} || '/p/' || g || '/tall.png'
                        when 1 then 'clip ' || ${media.origin} || '/v/' || g || '.mp4'
                        else 'words ' || g end,
             now() - ((41 - g) || ' seconds')::interval
      from generate_series(1, 40) g`);
    // With the previews the server would have made for them (proxied, as it makes them).
    const signer = new MediaSigner(server.app.encryptionKey);
    const embeds: Record<string, unknown> = {};
    for (let g = 1; g <= 40; g++) {
      const id = (BigInt(newest.id) - 41n + BigInt(g)).toString();
      if (g % 3 === 0) {
        const url = `${media.origin}/p/${g}/tall.png`;
        embeds[id] = [{ url, kind: 'image', image: { url: signer.path(url), width: 1200, height: 1600 } }];
      } else if (g % 3 === 1) {
        const url = `${media.origin}/v/${g}.mp4`;
        embeds[id] = [{ url, kind: 'video', video: { url: signer.path(url) } }];
      }
    }
    await db.execute(sql`
      update messages m set embeds = e.value
      from jsonb_each(${JSON.stringify(embeds)}::jsonb) e
      where m.id = e.key::bigint`);
    annPage = await loggedIn(browser, server.url, ann.token);
    annPage.page.on('request', (req) => requested.push(req.url()));
    a = annPage.page;
  });

  afterAll(async () => {
    await browser?.close();
    await media?.close();
    await server?.close();
  });

  story(() => ({ ann: annPage }));

  it('opens at the newest message, and stays there when the pictures arrive late', async () => {
    const release = media.hold();
    await a.goto(galleryUrl);
    await a.getByRole('log').getByText('the newest message').waitFor();
    await expect.poll(() => fromBottom(a)).toBeLessThan(2);
    const before = media.served();
    release();
    // Wait until the held pictures and videos have been answered, and have been laid out.
    await expect.poll(() => media.served()).toBeGreaterThan(before + 3);
    await expect
      .poll(() =>
        a
          .locator('.embed-image img')
          .evaluateAll((imgs) =>
            imgs.some((i) => (i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth > 0),
          ),
      )
      .toBe(true);
    await expect.poll(() => fromBottom(a)).toBeLessThan(2);
    expect(await inView(a, 'the newest message')).toBe(true);
  });

  it('keeps a picture inside a box of a fixed size, loaded or not', async () => {
    const box = await a.locator('.embed-image').last().boundingBox();
    expect(box?.width).toBeLessThanOrEqual(400);
    expect(box?.height).toBeLessThanOrEqual(300);
    const img = await a.locator('.embed-image img').last().boundingBox();
    expect(img?.height).toBeLessThanOrEqual(300);
  });

  it('shows a message I send there at the bottom', async () => {
    await say(a, 'Message #gallery', 'a message of mine');
    await a.locator('.message.mine', { hasText: 'a message of mine' }).waitFor();
    await expect.poll(() => inView(a, 'a message of mine')).toBe(true);
    await expect.poll(() => fromBottom(a)).toBeLessThan(2);
  });

  it("shows someone else's new message at the bottom, with its picture", async () => {
    await bob.rest.sendMessage({ channelId: galleryId, content: `from bob ${media.origin}/p/bob/tall.png` });
    await a.getByRole('log').getByText('from bob').waitFor();
    // Its picture arrives with the server's preview (message_update), loaded through the proxy.
    const picture = a.locator('.message', { hasText: 'from bob' }).locator('.embed-image img');
    await expect
      .poll(
        () =>
          picture.evaluate((i) => (i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth),
        {
          timeout: 10_000,
        },
      )
      .toBe(1200);
    expect(await picture.getAttribute('src')).toMatch(/^\/api\/media\/proxy\?/);
    await expect.poll(() => inView(a, 'from bob')).toBe(true);
    await expect.poll(() => fromBottom(a)).toBeLessThan(2);
    await screenshot(a, 'media-channel');
  });

  it('stays at the bottom when the window changes size', async () => {
    await a.setViewportSize({ width: 900, height: 500 });
    await expect.poll(() => fromBottom(a)).toBeLessThan(2);
    await a.setViewportSize({ width: 1280, height: 800 });
    await expect.poll(() => fromBottom(a)).toBeLessThan(2);
    expect(await inView(a, 'from bob')).toBe(true);
  });

  it('stays where the reader scrolled up to when a new message arrives', async () => {
    const scroller = a.locator('.message-scroller');
    const box = await scroller.boundingBox();
    if (!box) throw new Error('no conversation on screen');
    await a.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await a.mouse.wheel(0, -900);
    await expect.poll(() => fromBottom(a)).toBeGreaterThan(600);
    const top = await scroller.evaluate((el) => el.scrollTop);
    const height = await scroller.evaluate((el) => el.scrollHeight);
    await bob.rest.sendMessage({ channelId: galleryId, content: 'while ann reads above' });
    // The message has arrived once the conversation is taller; the view has not moved.
    await expect.poll(() => scroller.evaluate((el) => el.scrollHeight)).toBeGreaterThan(height);
    expect(await scroller.evaluate((el) => el.scrollTop)).toBe(top);
  });

  it('shows a picture the server cannot fetch as a link only', async () => {
    const url = `http://127.0.0.1:9/plain/cat.png`;
    await say(a, 'Message #gallery', `plain ${url}`);
    const row = a.locator('.message.mine', { hasText: 'plain' });
    await row.getByRole('link', { name: url }).waitFor();
    // The server has tried it (and found nothing to show) before we look.
    await expect
      .poll(async () => (await cachedPreview(server.app.storage.db, url))?.embed, { timeout: 10_000 })
      .toBeNull();
    await expect(row.locator('img, video').count()).resolves.toBe(0);
    await expect.poll(() => inView(a, 'plain')).toBe(true);
  });

  it("never made a request to the pictures' host: everything came from the app's origin", async () => {
    expect(requested.length).toBeGreaterThan(0);
    expect(requested.some((u) => u.includes('/api/media/proxy?'))).toBe(true);
    expect(requested.filter((u) => new URL(u).hostname === media.host)).toEqual([]);
    expect(
      requested.filter((u) => !u.startsWith(server.url) && !u.startsWith('data:') && !u.startsWith('blob:')),
    ).toEqual([]);
  });
});

/**
 * Messages typed faster than the send rate limit wait in the outbox, saying how long, and are
 * kept across a reload: every one arrives exactly once, in the order typed.
 */
describe('messages typed faster than the rate limit', () => {
  const TYPED = 32;
  let server: TestServer;
  let browser: Browser;
  let cam: User;
  let camPage: Person;
  let c: Page;
  let channelId: string;
  let channelUrl: string;

  beforeAll(async () => {
    // Five messages per two seconds: the default's shape (ten per five), a shorter wait.
    [server, browser] = await Promise.all([
      startTestServer({ sendLimits: { points: 5, windowSeconds: 2 } }),
      launchBrowser(),
    ]);
    [cam] = await people(server.url, ['cam'] as const);
    const club = await serverWith(cam, 'Fast Club');
    channelId = textChannelOf(club);
    channelUrl = `/channels/${club.id}/${channelId}`;
    camPage = await loggedIn(browser, server.url, cam.token);
    c = camPage.page;
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  story(() => ({ cam: camPage }));

  it('shows how long a message waits for the rate limit', async () => {
    await c.goto(channelUrl);
    for (let i = 1; i <= TYPED; i++) await say(c, 'Message #general', `fast ${i}`);
    await c
      .getByText(/Sending in \d+ s…/)
      .first()
      .waitFor();
    await screenshot(c, 'sending-rate-limit');
  });

  it('keeps the waiting messages through a reload and sends each exactly once, in order', async () => {
    const before = await cam.rest.listMessages({ channelId, limit: 100 });
    expect(before.length).toBeLessThan(TYPED);
    await c.reload();
    await c.getByRole('textbox', { name: 'Message #general' }).waitFor();
    const wanted = Array.from({ length: TYPED }, (_, i) => `fast ${i + 1}`);
    await expect
      .poll(async () => (await cam.rest.listMessages({ channelId, limit: 100 })).length, { timeout: 40_000 })
      .toBeGreaterThanOrEqual(TYPED);
    // Every message once (a resend after the reload made no copy), in the order typed (ids grow).
    const stored = await cam.rest.listMessages({ channelId, limit: 100 });
    const byId = [...stored].sort((x, y) => (BigInt(x.id) < BigInt(y.id) ? -1 : 1));
    expect(byId.map((m) => m.content)).toEqual(wanted);
    await c.getByRole('log').getByText(`fast ${TYPED}`, { exact: true }).waitFor();
    await expect(c.getByText(/Sending/).count()).resolves.toBe(0);
    // Nothing left to keep: the kept outbox is gone from the browser.
    await expect
      .poll(() => c.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('decentra.outbox.'))))
      .toEqual([]);
  });
});
