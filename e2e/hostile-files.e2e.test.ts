import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Attachment } from '@decentra/protocol';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Person as Account, people, textChannelOf } from '../apps/server/test/people.js';
import { startTestServer, type TestServer } from '../apps/server/test/test-server.js';
import { launchBrowser } from './support/browser.js';

/** A 1×1 GIF: a valid image that a polyglot starts with. */
const GIF = Buffer.from('R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==', 'base64');

/**
 * Files made to run script when opened: HTML that calls itself a PNG, an SVG with a script, and
 * a GIF that is HTML too (a browser sniffing it as a page would run its script). Each script
 * would change the page's title and call a server on loopback; the test opens each file as a page
 * and embeds it, then proves that no call came: a last request, made after all of them, is the
 * first one that server sees.
 */
describe('hostile files', () => {
  let server: TestServer;
  let browser: Browser;
  let beacon: Server;
  let beaconUrl = '';
  const calls: string[] = [];
  let page: Page;
  let owner: Account;
  let files: Record<'html' | 'svg' | 'polyglot', Attachment>;

  const script = (tag: string) =>
    `<script>document.title='pwned-${tag}';fetch('${beaconUrl}/${tag}',{mode:'no-cors'})</script>` +
    `<img src="${beaconUrl}/${tag}-img">`;

  beforeAll(async () => {
    beacon = createServer((req, res) => {
      calls.push(req.url ?? '');
      res.end('ok');
    });
    await new Promise<void>((resolve) => beacon.listen(0, '127.0.0.1', resolve));
    beaconUrl = `http://127.0.0.1:${(beacon.address() as AddressInfo).port}`;
    [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
    [owner] = await people(server.url, ['mallory']);
    const channelId = textChannelOf(await owner.rest.createServer({ name: 'Hostile' }));
    const up = (filename: string, body: Uint8Array) =>
      owner.rest.uploadAttachment({ channelId, filename, body });
    const enc = (s: string) => new TextEncoder().encode(s);
    files = {
      html: await up('cute-cat.png', enc(`<!doctype html><html><body>${script('html')}</body></html>`)),
      svg: await up(
        'logo.svg',
        enc(
          `<svg xmlns="http://www.w3.org/2000/svg" onload="document.title='pwned-svg'">${script('svg')}</svg>`,
        ),
      ),
      polyglot: await up(
        'funny.gif',
        new Uint8Array(Buffer.concat([GIF, Buffer.from(`<html>${script('gif')}</html>`)])),
      ),
    };
    await owner.rest.sendMessage({
      channelId,
      content: 'look',
      attachments: [files.html.id, files.svg.id, files.polyglot.id],
    });
    const context = await browser.newContext({ acceptDownloads: true });
    page = await context.newPage();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await new Promise((resolve) => beacon?.close(resolve));
  });

  it('are typed from their bytes: the HTML and the SVG are plain files, the polyglot an image re-encoded without its payload', async () => {
    expect(files.html).toMatchObject({ kind: 'file', contentType: 'application/octet-stream' });
    expect(files.svg).toMatchObject({ kind: 'file', contentType: 'application/octet-stream' });
    expect(files.polyglot).toMatchObject({ kind: 'image', contentType: 'image/gif' });
    const served = Buffer.from(await (await fetch(`${server.url}${files.polyglot.url}`)).arrayBuffer());
    expect(served.subarray(0, 3).toString()).toBe('GIF');
    expect(served.includes(Buffer.from('<script'))).toBe(false);
  });

  it('opened as a page: the HTML and the SVG are downloaded under their names, the polyglot shows as an image', async () => {
    for (const file of [files.html, files.svg]) {
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.goto(`${server.url}${file.url}`).catch(() => undefined),
      ]);
      expect(download.suggestedFilename()).toBe(file.filename);
    }
    await page.goto(`${server.url}${files.polyglot.url}`);
    expect(await page.evaluate(() => document.contentType)).toBe('image/gif');
    expect(await page.title()).not.toContain('pwned');
  });

  it('embedded as <img> and <iframe> in a page of the app’s origin, none runs', async () => {
    await page.goto(`${server.url}/healthz`);
    const urls = Object.values(files).map((f) => `${server.url}${f.url}`);
    await page.evaluate((list) => {
      for (const src of list) {
        const img = document.createElement('img');
        img.src = src;
        document.body.append(img);
        const frame = document.createElement('iframe');
        frame.src = src;
        document.body.append(frame);
      }
    }, urls);
    // Every embed has been fetched (or refused) when the page's load settles.
    await page.waitForLoadState('networkidle');
    expect(await page.title()).not.toContain('pwned');
  });

  it('no script ran: the first call the loopback server sees is the one made last, on purpose', async () => {
    await page.goto(`${beaconUrl}/last`);
    expect(calls[0]).toBe('/last');
    expect(calls.filter((c) => /html|svg|gif/.test(c))).toEqual([]);
  });
});
