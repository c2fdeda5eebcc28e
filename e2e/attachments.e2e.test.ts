import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, CDPSession, Page, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { people, serverWith, textChannelOf, type Person as User } from '../apps/server/test/people.js';
import { startTestServer, type TestServer } from '../apps/server/test/test-server.js';
import { loggedIn } from './support/accounts.js';
import { launchBrowser, type Person, screenshot } from './support/browser.js';
import { story } from './support/story.js';

const COMPOSER = 'Message #general';

/** Files made in the page (canvas pictures, a recorded video), kept on `window` between steps. */
declare global {
  interface Window {
    testFiles: Record<string, File>;
    testDrag: DataTransfer;
  }
}

/** A PNG of `width`×`height` made in the page; `noise` makes it large (random pixels do not compress). */
function makePicture(page: Page, name: string, width: number, height: number, noise = false) {
  return page.evaluate(
    async ({ name, width, height, noise }) => {
      const canvas = document.createElement('canvas');
      canvas.width = width;
      canvas.height = height;
      const g = canvas.getContext('2d');
      if (!g) throw new Error('no 2d context');
      if (noise) {
        const image = g.createImageData(width, height);
        for (let i = 0; i < image.data.length; i += 65_536)
          crypto.getRandomValues(image.data.subarray(i, Math.min(i + 65_536, image.data.length)));
        for (let i = 3; i < image.data.length; i += 4) image.data[i] = 255;
        g.putImageData(image, 0, 0);
      } else {
        const sky = g.createLinearGradient(0, 0, 0, height);
        sky.addColorStop(0, '#ff7e5f');
        sky.addColorStop(1, '#feb47b');
        g.fillStyle = sky;
        g.fillRect(0, 0, width, height);
        g.fillStyle = '#2b2d42';
        g.fillRect(0, height * 0.7, width, height * 0.3);
      }
      const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
      if (!blob) throw new Error('no picture');
      window.testFiles ??= {};
      window.testFiles[name] = new File([blob], name, { type: 'image/png' });
      return blob.size;
    },
    { name, width, height, noise },
  );
}

/** A short WebM recorded from a canvas in the page (MediaRecorder), as bytes. */
async function recordVideo(page: Page): Promise<Buffer> {
  const bytes = await page.evaluate(async () => {
    const canvas = document.createElement('canvas');
    canvas.width = 320;
    canvas.height = 180;
    const g = canvas.getContext('2d');
    if (!g) throw new Error('no 2d context');
    const stream = canvas.captureStream(15);
    const recorder = new MediaRecorder(stream, { mimeType: 'video/webm' });
    const chunks: Blob[] = [];
    recorder.ondataavailable = (e) => chunks.push(e.data);
    const stopped = new Promise((resolve) => {
      recorder.onstop = resolve;
    });
    recorder.start();
    for (let frame = 0; frame < 15; frame++) {
      g.fillStyle = `hsl(${frame * 24} 70% 50%)`;
      g.fillRect(0, 0, 320, 180);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    recorder.stop();
    await stopped;
    return [...new Uint8Array(await new Blob(chunks).arrayBuffer())];
  });
  return Buffer.from(bytes);
}

/** The list's row holding the picture `name`. */
const rowOf = (page: Page, name: string) =>
  page.locator('.message-slot').filter({ has: page.getByRole('button', { name: `Open ${name}` }) });

const scrollTop = (page: Page) => page.locator('.message-scroller').evaluate((el) => el.scrollTop);
const fromBottom = (page: Page) =>
  page.locator('.message-scroller').evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight);

describe('files in messages', () => {
  let server: TestServer;
  let browser: Browser;
  let ann: User;
  let bob: User;
  let annPage: Person;
  let bobPage: Person;
  let a: Page;
  let b: Page;
  let channelUrl: string;
  let channelId: string;
  let network: CDPSession;
  /** Bob's file requests held until released (to see the list before and after a picture loads). */
  const held: Route[] = [];
  let holding = false;
  const uploadsSent: string[] = [];
  let scratch: string | undefined;

  beforeAll(async () => {
    [server, browser] = await Promise.all([
      startTestServer({ sendLimits: { points: 100, windowSeconds: 1 } }),
      launchBrowser(),
    ]);
    [ann, bob] = await people(server.url, ['ann', 'bob'] as const);
    const club = await serverWith(ann, 'Photo Club', [bob]);
    channelId = textChannelOf(club);
    channelUrl = `/channels/${club.id}/${channelId}`;
    // Earlier talk, so that the list is scrolled and a jump would show.
    for (let i = 1; i <= 30; i++) await bob.rest.sendMessage({ channelId, content: `earlier message ${i}` });
    [annPage, bobPage] = await Promise.all([
      loggedIn(browser, server.url, ann.token),
      loggedIn(browser, server.url, bob.token),
    ]);
    a = annPage.page;
    b = bobPage.page;
    a.on('request', (r) => {
      if (r.method() === 'POST' && r.url().includes('/attachments?')) uploadsSent.push(r.url());
    });
    for (const files of ['**/api/files/**', '**/api/previews/**'])
      await b.route(files, (route) => {
        if (holding) held.push(route);
        else void route.continue();
      });
    network = await a.context().newCDPSession(a);
    await Promise.all([a.goto(channelUrl), b.goto(channelUrl)]);
    await Promise.all([
      a.getByRole('log').getByText('earlier message 30').waitFor(),
      b.getByRole('log').getByText('earlier message 30').waitFor(),
    ]);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  story(() => ({ ann: annPage, bob: bobPage }));

  it('takes a file dropped on the conversation, shows its upload progress, and cancels it', async () => {
    await makePicture(a, 'big-noise.png', 1400, 1000, true);
    // A slow uplink, so that the upload is seen under way.
    await network.send('Network.enable');
    await network.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: 300 * 1024,
    });
    await a.evaluate(() => {
      const drag = new DataTransfer();
      const file = window.testFiles['big-noise.png'];
      if (file) drag.items.add(file);
      window.testDrag = drag;
      const target = document.querySelector('.message-scroller');
      for (const type of ['dragenter', 'dragover'])
        target?.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: drag }));
    });
    await a.getByText('Drop files to send them to #general').waitFor();
    await a.evaluate(() => {
      document
        .querySelector('.message-scroller')
        ?.dispatchEvent(
          new DragEvent('drop', { bubbles: true, cancelable: true, dataTransfer: window.testDrag }),
        );
    });
    await expect(a.getByText('Drop files to send them to #general').count()).resolves.toBe(0);
    const tray = a.getByRole('list', { name: 'Files to send' });
    const progress = tray.getByRole('progressbar', { name: 'Uploading big-noise.png' });
    await progress.waitFor();
    expect(await tray.locator('img.pending-thumb').count()).toBe(1);
    await expect
      .poll(async () => Number(await progress.getAttribute('value')), { timeout: 20_000 })
      .toBeGreaterThan(0);
    expect(Number(await progress.getAttribute('value'))).toBeLessThan(100);
    await screenshot(a, 'upload-tray');
    await tray.getByRole('button', { name: 'Cancel big-noise.png' }).click();
    await expect(tray.count()).resolves.toBe(0);
  });

  it('sends a message typed while its file uploads once the upload has finished, with the file', async () => {
    await makePicture(a, 'small-noise.png', 500, 400, true);
    await a.evaluate(() => {
      const drag = new DataTransfer();
      const file = window.testFiles['small-noise.png'];
      if (file) drag.items.add(file);
      document
        .querySelector('.message-scroller')
        ?.dispatchEvent(new DragEvent('drop', { bubbles: true, cancelable: true, dataTransfer: drag }));
    });
    const tray = a.getByRole('list', { name: 'Files to send' });
    await tray.getByRole('progressbar', { name: 'Uploading small-noise.png' }).waitFor();
    const box = a.getByRole('textbox', { name: COMPOSER });
    await box.fill('wait for the picture');
    await box.press('Enter');
    await a.getByRole('status').filter({ hasText: 'Sends when the uploads have finished.' }).waitFor();
    await network.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: -1,
    });
    // The message arrives with its file: it went after the upload, not before it.
    const row = b.locator('.message-slot', { hasText: 'wait for the picture' });
    await row.getByRole('button', { name: 'Open small-noise.png' }).waitFor();
    await expect(tray.count()).resolves.toBe(0);
  });

  it('sends the text alone when its only file is cancelled while it waits, and the composer takes the next message', async () => {
    await network.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: 100 * 1024,
    });
    await a.evaluate(() => {
      const drag = new DataTransfer();
      const file = window.testFiles['big-noise.png'];
      if (file) drag.items.add(file);
      document
        .querySelector('.message-scroller')
        ?.dispatchEvent(new DragEvent('drop', { bubbles: true, cancelable: true, dataTransfer: drag }));
    });
    const tray = a.getByRole('list', { name: 'Files to send' });
    await tray.getByRole('progressbar', { name: 'Uploading big-noise.png' }).waitFor();
    const box = a.getByRole('textbox', { name: COMPOSER });
    await box.fill('never mind the picture');
    await box.press('Enter');
    await a.getByRole('status').filter({ hasText: 'Sends when the uploads have finished.' }).waitFor();
    await tray.getByRole('button', { name: 'Cancel big-noise.png' }).click();
    await network.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: -1,
    });
    const row = b.locator('.message-slot', { hasText: 'never mind the picture' });
    await row.waitFor();
    expect(await row.locator('.attachments').count()).toBe(0);
    await box.fill('and one more');
    await expect(a.getByRole('button', { name: 'Send message' }).isEnabled()).resolves.toBe(true);
    await box.press('Enter');
    await b.locator('.message-slot', { hasText: 'and one more' }).waitFor();
  });

  it('takes a pasted picture and sends it with text; the other sees it at its final size before it loads, and nothing jumps', async () => {
    await makePicture(a, 'sunset.png', 1600, 900);
    const box = a.getByRole('textbox', { name: COMPOSER });
    await box.fill('sunset from the pier');
    await box.evaluate((el) => {
      const clip = new DataTransfer();
      const file = window.testFiles['sunset.png'];
      if (file) clip.items.add(file);
      el.dispatchEvent(new ClipboardEvent('paste', { bubbles: true, cancelable: true, clipboardData: clip }));
    });
    const tray = a.getByRole('list', { name: 'Files to send' });
    await tray.getByRole('progressbar', { name: 'sunset.png uploaded' }).waitFor();
    // The pasted picture did not go into the text.
    expect(await box.inputValue()).toBe('sunset from the pier');
    holding = true;
    await box.press('Enter');
    await expect(tray.count()).resolves.toBe(0);

    // Bob: the row is there with the picture's box at 400×225 (1600×900 fitted) while the picture is held.
    const row = rowOf(b, 'sunset.png');
    await row.waitFor();
    await expect.poll(() => held.length).toBeGreaterThan(0);
    const image = row.getByRole('button', { name: 'Open sunset.png' });
    const boxBefore = await image.boundingBox();
    expect([boxBefore?.width, boxBefore?.height]).toEqual([400, 225]);
    expect(await row.locator('img').evaluate((i) => (i as HTMLImageElement).complete)).toBe(false);
    await expect.poll(() => fromBottom(b)).toBeLessThan(2);
    const heightBefore = (await row.boundingBox())?.height;
    const topBefore = await scrollTop(b);

    holding = false;
    for (const route of held.splice(0)) await route.continue();
    await expect
      .poll(() =>
        row
          .locator('img')
          .evaluate((i) => (i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth > 0),
      )
      .toBe(true);
    // Laid out after the load: the same row height, the same scroll position.
    await b.evaluate(
      () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))),
    );
    expect((await row.boundingBox())?.height).toBe(heightBefore);
    expect(await scrollTop(b)).toBe(topBefore);
    expect((await image.boundingBox())?.height).toBe(225);
    await screenshot(b, 'image-message');
  });

  it('opens the picture full size in a lightbox that keeps the focus and closes on Escape', async () => {
    await b.getByRole('button', { name: 'Open sunset.png' }).click();
    const dialog = b.getByRole('dialog', { name: 'sunset.png' });
    await dialog.waitFor();
    const full = dialog.getByRole('img', { name: 'sunset.png' });
    await expect.poll(() => full.evaluate((i) => (i as HTMLImageElement).naturalWidth)).toBe(1600);
    // The file itself, not the preview the list shows.
    const [sent] = await bob.rest.listMessages({ channelId, limit: 1 });
    const picture = sent?.attachments?.[0];
    expect(await full.getAttribute('src')).toBe(picture?.url);
    expect(await b.getByRole('button', { name: 'Open sunset.png' }).locator('img').getAttribute('src')).toBe(
      picture?.previewUrl,
    );
    for (let i = 0; i < 4; i++) {
      await b.keyboard.press('Tab');
      expect(await dialog.evaluate((d) => d.contains(document.activeElement))).toBe(true);
    }
    await screenshot(b, 'lightbox');
    await b.keyboard.press('Escape');
    await expect(dialog.count()).resolves.toBe(0);
    // A click closes it too.
    await b.getByRole('button', { name: 'Open sunset.png' }).click();
    await dialog.waitFor();
    await full.click();
    await expect(dialog.count()).resolves.toBe(0);
  });

  it('sends a video and a document picked with the button, without text: a player and a file card', async () => {
    const video = await recordVideo(a);
    const chooser = a.waitForEvent('filechooser');
    await a.getByRole('button', { name: 'Attach files' }).click();
    await (await chooser).setFiles([
      { name: 'clip.webm', mimeType: 'video/webm', buffer: video },
      { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('bring a jacket\n') },
    ]);
    const tray = a.getByRole('list', { name: 'Files to send' });
    await tray.getByRole('progressbar', { name: 'clip.webm uploaded' }).waitFor();
    await tray.getByRole('progressbar', { name: 'notes.txt uploaded' }).waitFor();
    await a.getByRole('textbox', { name: COMPOSER }).press('Enter');
    await expect(tray.count()).resolves.toBe(0);

    const player = b.getByRole('log').locator('video[aria-label="clip.webm"]');
    await player.waitFor();
    expect([await player.getAttribute('controls'), await player.getAttribute('preload')]).toEqual([
      '',
      'metadata',
    ]);
    const download = b.getByRole('link', { name: 'Download notes.txt' });
    await download.waitFor();
    const card = b.locator('.attachment-file', { has: download });
    expect(await card.textContent()).toContain('15 bytes');
    const href = await download.getAttribute('href');
    const body = await b.evaluate(async (url) => (await fetch(url ?? '')).text(), href);
    expect(body).toBe('bring a jacket\n');
  });

  it('refuses a file over the size cap before uploading it, saying why', async () => {
    const { maxFileBytes } = await ann.rest.uploadUsage();
    const before = uploadsSent.length;
    // A sparse file on disk: handed to the local browser by path, not sent through the protocol.
    scratch = mkdtempSync(join(tmpdir(), 'decentra-e2e-'));
    const huge = join(scratch, 'huge.bin');
    writeFileSync(huge, '');
    truncateSync(huge, maxFileBytes + 1);
    const chooser = a.waitForEvent('filechooser');
    await a.getByRole('button', { name: 'Attach files' }).click();
    await (await chooser).setFiles(huge);
    await a.getByRole('alert').filter({ hasText: '“huge.bin” is too large: files can be up to' }).waitFor();
    expect(await a.getByRole('list', { name: 'Files to send' }).count()).toBe(0);
    // The tray adds a file before its upload starts: with none added, none was sent.
    expect(uploadsSent.length).toBe(before);
  });
});
