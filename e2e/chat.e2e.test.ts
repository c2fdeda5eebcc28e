import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../apps/server/test/manual-clock.js';
import { startTestServer, type TestServer } from '../apps/server/test/test-server.js';
import { launchBrowser, type Person, person, readCode, say, screenshot, signUp } from './support/browser.js';
import { type MediaServer, startMediaServer } from './support/media-server.js';
import { story } from './support/story.js';

/**
 * The core path in two browsers: the first sign-up needs no code, an invite brings the second,
 * a server is created and joined by a server invite, and both chat live, safely, with embeds.
 * The steps run in order on one server; the server's clock moves only when a step says so.
 */
describe('chat in two browsers', () => {
  const clock = new ManualClock();
  let server: TestServer;
  let media: MediaServer;
  let browser: Browser;
  let alice: Person;
  let bob: Person;
  let a: Page;
  let b: Page;
  let signupCode: string;
  let serverCode: string;
  let channelUrl: string;

  beforeAll(async () => {
    [server, media, browser] = await Promise.all([
      startTestServer({ clock }),
      startMediaServer(),
      launchBrowser(),
    ]);
    alice = await person(browser, server.url);
    bob = await person(browser, server.url);
    a = alice.page;
    b = bob.page;
  });

  afterAll(async () => {
    await browser?.close();
    await media?.close();
    await server?.close();
  });

  story(() => ({ alice, bob }));

  it('opens a fresh instance on sign-up for the first admin, which needs no code', async () => {
    await b.goto('/');
    await b.waitForURL('**/login');
    await b.getByText(/Nobody is here yet\. Create the first account: it becomes the admin/).waitFor();
    await b.getByRole('button', { name: 'Sign up', exact: true }).waitFor();
    await b.getByText(/The very first account needs none/).waitFor();
    await screenshot(b, 'login');
  });

  it('signs up the first account without a code', async () => {
    await signUp(a, 'alice');
  });

  it('refuses a wrong invite code, in words', async () => {
    await b.getByLabel('Username').fill('bob');
    await b.getByLabel('Password').fill('correct horse battery');
    await b.getByLabel('Invite code').fill('not-a-real-code');
    await b.getByRole('button', { name: 'Sign up', exact: true }).click();
    await b.getByRole('alert').filter({ hasText: 'That invite code does not exist' }).waitFor();
  });

  it('Generate Invite shows a sign-up code in a dialog with a copy button', async () => {
    await a.getByRole('button', { name: 'Generate Invite' }).click();
    const dialog = a.getByRole('dialog', { name: 'Invite someone to Decentra' });
    signupCode = await readCode(a, 'Sign-up invite code');
    await dialog.getByRole('button', { name: 'Copy' }).click();
    await dialog.getByRole('button', { name: 'Copied' }).waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();
  });

  it('signs up a second account with that code', async () => {
    await signUp(b, 'bob', signupCode);
  });

  it('creates a server and lands its owner in #general', async () => {
    await a.getByRole('button', { name: 'Create server' }).click();
    await a.getByLabel('Server name').fill('Book Club');
    await a.getByRole('button', { name: 'Create', exact: true }).click();
    await a.waitForURL(/\/channels\/\d+\/\d+$/);
    await a.getByRole('link', { name: 'Book Club' }).waitFor();
    await a.getByRole('heading', { name: /general/ }).waitFor();
    channelUrl = a.url();
  });

  it("makes a server invite in the owner's settings", async () => {
    await a.getByRole('button', { name: 'Server settings' }).click();
    await a.getByRole('button', { name: 'Generate server invite' }).click();
    serverCode = await readCode(a, 'Server invite code');
    await a.getByRole('dialog', { name: 'Server settings' }).getByRole('button', { name: 'Close' }).click();
  });

  it("joins the server with the invite and lands in the owner's channel", async () => {
    await b.getByRole('button', { name: 'Create server' }).click();
    await b.getByLabel('Server invite code').fill(serverCode);
    await b.getByRole('button', { name: 'Join server' }).click();
    await b.waitForURL(channelUrl);
    await b.getByRole('textbox', { name: 'Message #general' }).waitFor();
  });

  it('delivers messages live both ways; own messages are green, others blue', async () => {
    await say(a, 'Message #general', 'hello bob');
    await b.getByRole('log').getByText('hello bob').waitFor();
    await say(b, 'Message #general', 'hi alice!');
    await a.getByRole('log').getByText('hi alice!').waitFor();
    await expect(a.locator('.message.mine', { hasText: 'hello bob' }).count()).resolves.toBe(1);
    await expect(a.locator('.message.theirs', { hasText: 'hi alice!' }).count()).resolves.toBe(1);
  });

  it('shows the other person that someone is typing', async () => {
    // The server passes one typing_start per user and channel per 5 s, and Alice's typing of
    // "hello bob" used it up (Bob has seen that message, so her typing op was handled before
    // it): move the server's clock past the throttle, as a person pausing would.
    clock.advance(5_200);
    await a.getByRole('textbox', { name: 'Message #general' }).pressSequentially('thinking');
    await b.getByText('alice is typing…').waitFor();
    await a.getByRole('textbox', { name: 'Message #general' }).fill('');
  });

  it('shows hostile markup as text and never runs it', async () => {
    const payload = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';
    await say(b, 'Message #general', payload);
    await a.getByRole('log').getByText(payload, { exact: true }).waitFor();
    expect(await a.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await a.locator('img[src="x"]').count()).toBe(0);
    expect(await a.locator('.message-text script').count()).toBe(0);
  });

  it('embeds links, an image, a video and YouTube; a javascript: link stays text', async () => {
    const image = `${media.origin}/cat.svg?size=large`;
    const video = `${media.origin}/clip.mp4`;
    await say(a, 'Message #general', `look at this cat ${image} and https://example.com/page`);
    await say(a, 'Message #general', `a clip ${video}`);
    await say(a, 'Message #general', 'music https://youtu.be/dQw4w9WgXcQ and javascript:alert(1)');
    const log = b.getByRole('log');
    const img = log.locator(`img[src="${image}"]`);
    await img.waitFor();
    await expect
      .poll(() => img.evaluate((el) => (el as HTMLImageElement).naturalWidth), { timeout: 10_000 })
      .toBeGreaterThan(0);
    expect(await img.getAttribute('loading')).toBe('lazy');
    const imageLink = log.locator(`a[href="${image}"]`).first();
    expect(await imageLink.getAttribute('target')).toBe('_blank');
    expect(await imageLink.getAttribute('rel')).toBe('noopener noreferrer');
    const pageLink = log.getByRole('link', { name: 'https://example.com/page' });
    expect(await pageLink.getAttribute('rel')).toBe('noopener noreferrer');
    await log.locator(`video[src="${video}"]`).waitFor({ state: 'attached' });
    expect(await log.locator('video').getAttribute('controls')).not.toBeNull();
    const frame = log.locator('iframe');
    await frame.waitFor({ state: 'attached' });
    expect(await frame.getAttribute('src')).toBe('https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ');
    expect(await frame.getAttribute('sandbox')).toContain('allow-scripts');
    expect(await log.locator('a[href^="javascript:"]').count()).toBe(0);
    await log.getByText('javascript:alert(1)', { exact: false }).waitFor();
  });

  it("groups one author's messages in a row under one name", async () => {
    // Alice's three messages just above: the second and third are grouped under the first.
    expect(await b.locator('.message.grouped').count()).toBeGreaterThanOrEqual(2);
  });

  it('has shown every message exactly once on both sides', async () => {
    for (const page of [a, b]) {
      expect(await page.getByRole('log').getByText('hello bob', { exact: true }).count()).toBe(1);
      expect(await page.getByRole('log').getByText('hi alice!', { exact: true }).count()).toBe(1);
    }
  });

  it('highlights a message that mentions me', async () => {
    await b.getByRole('textbox', { name: 'Message #general' }).fill('@alice did you see this?');
    await screenshot(b, 'server-chat');
    await b.getByRole('textbox', { name: 'Message #general' }).press('Enter');
    await a.locator('.message.mentions-me', { hasText: 'did you see this?' }).waitFor();
  });

  it('keeps a deep link through a reload', async () => {
    await b.reload();
    await b.getByRole('log').getByText('hello bob').waitFor();
    expect(b.url()).toBe(channelUrl);
  });

  it('moves between places with back and forward', async () => {
    await b.getByRole('button', { name: 'Friends' }).click();
    await b.waitForURL('**/channels/@me');
    await b.goBack();
    await b.waitForURL(channelUrl);
    await b.getByRole('log').getByText('hello bob').waitFor();
  });

  it('makes a new line with Shift+Enter, sent as one message', async () => {
    const box = a.getByRole('textbox', { name: 'Message #general' });
    await box.fill('first line');
    await box.press('Shift+Enter');
    await box.pressSequentially('second line');
    await box.press('Enter');
    const mine = a.locator('.message.mine', { hasText: 'second line' });
    await mine.waitFor();
    expect(await mine.locator('.message-text').textContent()).toBe('first line\nsecond line');
    await b
      .getByRole('log')
      .getByText(/first line\s+second line/)
      .waitFor();
  });

  it('edits an own message inline, marked (edited) for the others', async () => {
    const mine = a.locator('.message.mine', { hasText: 'second line' });
    await mine.hover();
    await mine.getByRole('button', { name: 'Edit message' }).click();
    const editor = a.getByRole('textbox', { name: 'Edit message' });
    await editor.fill('edited text');
    await editor.press('Enter');
    await b.getByRole('log').getByText('edited text').waitFor();
    await b.locator('.message', { hasText: 'edited text' }).getByText('(edited)').waitFor();
  });

  it('deletes an own message after confirming, gone for the others too', async () => {
    const edited = a.locator('.message.mine', { hasText: 'edited text' });
    await edited.hover();
    await edited.getByRole('button', { name: 'Delete message' }).click();
    await a.getByRole('dialog', { name: 'Delete message' }).getByRole('button', { name: 'Delete' }).click();
    await b.getByRole('log').getByText('edited text').waitFor({ state: 'detached' });
  });

  it('shows a counter near the length limit and refuses to send past it', async () => {
    const box = a.getByRole('textbox', { name: 'Message #general' });
    await box.fill('x'.repeat(3900));
    await a.getByText('100', { exact: true }).waitFor();
    await box.fill('x'.repeat(4001));
    expect(await a.getByRole('button', { name: 'Send message' }).isDisabled()).toBe(true);
    await box.fill('');
  });
});
