import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../apps/server/test/test-server.js';
import { launchBrowser, type Person, person, readCode, say, screenshot, signUp } from './support/browser.js';
import { type MediaServer, startMediaServer } from './support/media-server.js';

/**
 * The core path in two browsers: the first sign-up needs no code, an invite brings the second,
 * a server is created and joined by a server invite, and both chat live, safely, with embeds.
 */
describe('chat in two browsers', () => {
  let server: TestServer;
  let media: MediaServer;
  let browser: Browser;
  let alice: Person;
  let bob: Person;

  beforeAll(async () => {
    [server, media, browser] = await Promise.all([startTestServer(), startMediaServer(), launchBrowser()]);
    alice = await person(browser, server.url);
    bob = await person(browser, server.url);
  });

  afterAll(async () => {
    await browser?.close();
    await media?.close();
    await server?.close();
  });

  it('signs up, invites, creates and joins a server, and chats both ways live', async () => {
    const a = alice.page;
    const b = bob.page;

    // Sign-up page; a wrong code is explained in words.
    await b.goto('/');
    await b.waitForURL('**/login');
    await b.getByRole('button', { name: 'Sign up instead' }).click();
    await b.getByText(/The very first account needs none/).waitFor();
    await screenshot(b, 'login');

    await signUp(a, 'alice');

    await b.getByLabel('Username').fill('bob');
    await b.getByLabel('Password').fill('correct horse battery');
    await b.getByLabel('Invite code').fill('not-a-real-code');
    await b.getByRole('button', { name: 'Sign up', exact: true }).click();
    await b.getByRole('alert').filter({ hasText: 'That invite code does not exist' }).waitFor();

    // Generate Invite: a sign-up code in a dialog with a copy button.
    await a.getByRole('button', { name: 'Generate Invite' }).click();
    const dialog = a.getByRole('dialog', { name: 'Invite someone to Decentra' });
    const signupCode = await readCode(a, 'Sign-up invite code');
    await dialog.getByRole('button', { name: 'Copy' }).click();
    await dialog.getByRole('button', { name: 'Copied' }).waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();

    await signUp(b, 'bob', signupCode);

    // Alice creates a server and lands in #general.
    await a.getByRole('button', { name: 'Create server' }).click();
    await a.getByLabel('Server name').fill('Book Club');
    await a.getByRole('button', { name: 'Create', exact: true }).click();
    await a.waitForURL(/\/channels\/\d+\/\d+$/);
    await a.getByRole('link', { name: 'Book Club' }).waitFor();
    await a.getByRole('heading', { name: /general/ }).waitFor();
    const channelUrl = a.url();

    // A server invite from the owner's settings; Bob joins with it.
    await a.getByRole('button', { name: 'Server settings' }).click();
    await a.getByRole('button', { name: 'Generate server invite' }).click();
    const serverCode = await readCode(a, 'Server invite code');
    await a.getByRole('dialog', { name: 'Server settings' }).getByRole('button', { name: 'Close' }).click();

    await b.getByRole('button', { name: 'Create server' }).click();
    await b.getByLabel('Server invite code').fill(serverCode);
    await b.getByRole('button', { name: 'Join server' }).click();
    await b.waitForURL(channelUrl);
    await b.getByRole('textbox', { name: 'Message #general' }).waitFor();

    // Live both ways; own messages green, others blue.
    await say(a, 'Message #general', 'hello bob');
    await b.getByRole('log').getByText('hello bob').waitFor();
    await say(b, 'Message #general', 'hi alice!');
    await a.getByRole('log').getByText('hi alice!').waitFor();
    await expect(a.locator('.message.mine', { hasText: 'hello bob' }).count()).resolves.toBe(1);
    await expect(a.locator('.message.theirs', { hasText: 'hi alice!' }).count()).resolves.toBe(1);

    // Typing indicator. The server passes one typing_start per user and channel per 5 s, and
    // Alice's typing of "hello bob" used it up: wait it out, as a person pausing would.
    await a.waitForTimeout(5_200);
    await a.getByRole('textbox', { name: 'Message #general' }).pressSequentially('thinking');
    await b.getByText('alice is typing…').waitFor();
    await a.getByRole('textbox', { name: 'Message #general' }).fill('');

    // Hostile markup is shown as text and never runs.
    const payload = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';
    await say(b, 'Message #general', payload);
    await a.getByRole('log').getByText(payload, { exact: true }).waitFor();
    expect(await a.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await a.locator('img[src="x"]').count()).toBe(0);
    expect(await a.locator('.message-text script').count()).toBe(0);

    // Embeds: link, image, video, YouTube; a javascript: link stays text.
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

    // Grouping: Alice's three messages in a row show her name once.
    expect(await b.locator('.message.grouped').count()).toBeGreaterThanOrEqual(2);

    // Every message arrived exactly once on both sides.
    for (const page of [a, b]) {
      expect(await page.getByRole('log').getByText('hello bob', { exact: true }).count()).toBe(1);
      expect(await page.getByRole('log').getByText('hi alice!', { exact: true }).count()).toBe(1);
    }
    await b.getByRole('textbox', { name: 'Message #general' }).fill('@alice did you see this?');
    await screenshot(b, 'server-chat');
    await b.getByRole('textbox', { name: 'Message #general' }).press('Enter');
    await a.locator('.message.mentions-me', { hasText: 'did you see this?' }).waitFor();

    // Deep links survive a reload; back/forward move between places.
    await b.reload();
    await b.getByRole('log').getByText('hello bob').waitFor();
    expect(b.url()).toBe(channelUrl);
    await b.getByRole('button', { name: 'Friends' }).click();
    await b.waitForURL('**/channels/@me');
    await b.goBack();
    await b.waitForURL(channelUrl);
    await b.getByRole('log').getByText('hello bob').waitFor();

    expect(alice.problems).toEqual([]);
    expect(bob.problems).toEqual([]);
  });

  it('edits and deletes own messages inline; Shift+Enter makes a new line', async () => {
    const a = alice.page;
    const b = bob.page;
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

    await mine.hover();
    await mine.getByRole('button', { name: 'Edit message' }).click();
    const editor = a.getByRole('textbox', { name: 'Edit message' });
    await editor.fill('edited text');
    await editor.press('Enter');
    await b.getByRole('log').getByText('edited text').waitFor();
    await b.locator('.message', { hasText: 'edited text' }).getByText('(edited)').waitFor();

    const edited = a.locator('.message.mine', { hasText: 'edited text' });
    await edited.hover();
    await edited.getByRole('button', { name: 'Delete message' }).click();
    await a.getByRole('dialog', { name: 'Delete message' }).getByRole('button', { name: 'Delete' }).click();
    await b.getByRole('log').getByText('edited text').waitFor({ state: 'detached' });

    // Near the limit a counter appears; past it sending is refused.
    await box.fill('x'.repeat(3900));
    await a.getByText('100', { exact: true }).waitFor();
    await box.fill('x'.repeat(4001));
    expect(await a.getByRole('button', { name: 'Send message' }).isDisabled()).toBe(true);
    await box.fill('');
  });
});
