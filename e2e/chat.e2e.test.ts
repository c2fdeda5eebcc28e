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
    media = await startMediaServer();
    [server, browser] = await Promise.all([
      startTestServer({ clock, config: { allowPrivateFetch: true }, previews: { youtube: media.youtube } }),
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

  it("delivers messages live both ways, own and others' told apart", async () => {
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
    // No `__` in it: that would underline, as markdown says, and split the text.
    const payload = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>';
    await say(b, 'Message #general', payload);
    await a.getByRole('log').getByText(payload, { exact: true }).waitFor();
    expect(await a.evaluate(() => (window as { pwned?: number }).pwned)).toBeUndefined();
    expect(await a.locator('img[src="x"]').count()).toBe(0);
    expect(await a.locator('.message-text script').count()).toBe(0);
  });

  it("shows the server's previews of links: an image, a video, a page's card and YouTube; a javascript: link stays text", async () => {
    const image = `${media.origin}/cat.png?size=large`;
    const video = `${media.origin}/clip.mp4`;
    const article = `${media.origin}/article`;
    await say(a, 'Message #general', `look at this cat ${image} and https://example.com/page`);
    await say(a, 'Message #general', `a clip ${video}`);
    await say(a, 'Message #general', `news ${article}`);
    await say(a, 'Message #general', 'music https://youtu.be/dQw4w9WgXcQ and javascript:alert(1)');
    const log = b.getByRole('log');
    // Pictures and videos come from our own origin (the media proxy), never from their host.
    const img = log.locator('.embed-image img');
    await img.waitFor();
    expect(await img.getAttribute('src')).toMatch(/^\/api\/media\/proxy\?url=/);
    await expect
      .poll(() => img.evaluate((el) => (el as HTMLImageElement).naturalWidth), { timeout: 10_000 })
      .toBe(320);
    expect(await img.getAttribute('loading')).toBe('lazy');
    const imageLink = log.locator(`a[href="${image}"]`).first();
    expect(await imageLink.getAttribute('target')).toBe('_blank');
    expect(await imageLink.getAttribute('rel')).toBe('noopener noreferrer');
    const pageLink = log.getByRole('link', { name: 'https://example.com/page' });
    expect(await pageLink.getAttribute('rel')).toBe('noopener noreferrer');
    const player = log.locator('video.embed-video');
    await player.waitFor({ state: 'attached' });
    expect(await player.getAttribute('src')).toMatch(/^\/api\/media\/proxy\?url=/);
    expect(await player.getAttribute('controls')).not.toBeNull();
    const card = log.locator('.embed-card', { hasText: 'The cats of the week' });
    await card.getByText('Seven cats, one sofa: a report from the Photo Club.').waitFor();
    await card.getByText('Cat News').waitFor();
    await expect
      .poll(() => card.locator('img').evaluate((el) => (el as HTMLImageElement).naturalWidth), {
        timeout: 10_000,
      })
      .toBe(320);
    await card.scrollIntoViewIfNeeded();
    await screenshot(b, 'link-preview');
    // YouTube: its title and thumbnail first; the privacy-enhanced player only on a click.
    const youtube = log.locator('.embed-youtube-card');
    await youtube.getByText('Never Gonna Give You Up').waitFor();
    expect(await log.locator('iframe').count()).toBe(0);
    await expect
      .poll(() => youtube.locator('img').evaluate((el) => (el as HTMLImageElement).naturalWidth), {
        timeout: 10_000,
      })
      .toBe(480);
    await youtube.scrollIntoViewIfNeeded();
    await screenshot(b, 'youtube-embed');
    await youtube.getByRole('button', { name: 'Play Never Gonna Give You Up' }).click();
    const frame = log.locator('iframe');
    await frame.waitFor({ state: 'attached' });
    expect(await frame.getAttribute('src')).toBe(
      'https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1',
    );
    expect(await frame.getAttribute('sandbox')).toContain('allow-scripts');
    expect(await log.locator('a[href^="javascript:"]').count()).toBe(0);
    await log.getByText('javascript:alert(1)', { exact: false }).waitFor();
  });

  it("groups one author's messages in a row under one name", async () => {
    // Alice's three messages just above: the second and third are grouped under the first.
    expect(await b.locator('.message.grouped').count()).toBeGreaterThanOrEqual(2);
  });

  it('shows markdown: bold, italic, a list, a quote and a code block highlighted once its highlighter loads', async () => {
    const text = [
      '**Reading list** for _Friday_:',
      '- __Dune__ ~~maybe~~',
      '- `chapter 3`, not `https://example.com/in-code.png`',
      '> bring snacks',
      '```js',
      'const pages = 412; // https://example.com/also-code',
      '```',
      'How it ends: ||the spice flows||',
    ].join('\n');
    await say(b, 'Message #general', 'What are we reading?');
    await a.getByRole('log').getByText('What are we reading?').waitFor();
    await say(a, 'Message #general', text);
    const message = b.locator('.message', { hasText: 'Reading list' });
    await message.locator('strong', { hasText: 'Reading list' }).waitFor();
    await message.locator('em', { hasText: 'Friday' }).waitFor();
    await message.locator('li u', { hasText: 'Dune' }).waitFor();
    await message.locator('li s', { hasText: 'maybe' }).waitFor();
    await message.locator('blockquote', { hasText: 'bring snacks' }).waitFor();
    await message.locator('pre code .hljs-keyword', { hasText: 'const' }).waitFor();
    await message.locator('pre code .hljs-number', { hasText: '412' }).waitFor();
    // Links inside code are code: no link, no embed.
    expect(await message.locator('a, .embeds').count()).toBe(0);
  });

  it('hides a spoiler until it is clicked', async () => {
    const message = b.locator('.message', { hasText: 'Reading list' });
    const spoiler = message.getByRole('button', { name: /Spoiler, hidden/ });
    await spoiler.waitFor();
    expect(await message.getByText('the spice flows').isVisible()).toBe(false);
    await spoiler.click();
    await message.locator('.spoiler.revealed', { hasText: 'the spice flows' }).waitFor();
    expect(await message.getByText('the spice flows').isVisible()).toBe(true);
  });

  it('puts two messages in a row by one author under one header with the avatar', async () => {
    await say(b, 'Message #general', 'first of two');
    await say(b, 'Message #general', 'second of two');
    const log = a.getByRole('log');
    const first = log.locator('.message', { hasText: 'first of two' });
    const second = log.locator('.message', { hasText: 'second of two' });
    await second.waitFor();
    await first.locator('.message-head', { hasText: 'bob' }).waitFor();
    expect(await first.locator('.message-gutter .avatar').count()).toBe(1);
    expect(await second.locator('.message-head, .avatar').count()).toBe(0);
    await second.hover();
    expect(await second.locator('.gutter-time').isVisible()).toBe(true);
    await screenshot(a, 'markdown');
  });

  it('keeps the bubbles as a display setting', async () => {
    await a.goto('/settings/appearance');
    await a.getByRole('radio', { name: /Bubbles/ }).check();
    await screenshot(a, 'settings-appearance');
    await a.goto(channelUrl);
    await a.locator('.message.bubbles.mine', { hasText: 'Reading list' }).waitFor();
    expect(await a.locator('.message.cozy').count()).toBe(0);
    expect(await a.locator('.message-gutter').count()).toBe(0);
    await screenshot(a, 'message-bubbles');
    await a.goto('/settings/appearance');
    await a.getByRole('radio', { name: /Cozy/ }).check();
    await a.goto(channelUrl);
    await a.locator('.message.cozy', { hasText: 'Reading list' }).waitFor();
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

  it('replies to a message: a bar above the composer, Escape cancels, the @ toggle says whom it mentions', async () => {
    const original = a.locator('.message.theirs', { hasText: 'hi alice!' });
    await original.hover();
    await original.getByRole('button', { name: 'Reply' }).click();
    const bar = a.locator('.reply-bar');
    await bar.getByText('Replying to bob').waitFor();
    expect(await bar.getByRole('button', { name: '@ ON' }).getAttribute('aria-pressed')).toBe('true');
    await a.getByRole('textbox', { name: 'Message #general' }).press('Escape');
    await bar.waitFor({ state: 'detached' });
    await original.hover();
    await original.getByRole('button', { name: 'Reply' }).click();
    await bar.getByText('Replying to bob').waitFor();
  });

  it('shows the quote to the other person, who gets a mention badge while away', async () => {
    await b.getByRole('button', { name: 'Friends' }).click();
    await b.waitForURL('**/channels/@me');
    await say(a, 'Message #general', 'welcome to the club');
    await b.getByRole('link', { name: /^Book Club, unread, 1 mention$/ }).waitFor();
    await b.goBack();
    await b.waitForURL(channelUrl);
    const reply = b.locator('.message', { hasText: 'welcome to the club' });
    await reply.locator('.reply-preview', { hasText: 'alice' }).waitFor();
    await reply.locator('.reply-preview .reply-content', { hasText: 'hi alice!' }).waitFor();
    await reply.locator('.reply-preview .reply-author', { hasText: 'bob' }).waitFor();
    // The reply named bob: his own view marks it as mentioning him.
    await b.locator('.message.mentions-me', { hasText: 'welcome to the club' }).waitFor();
  });

  it('jumps to the original when the quote is clicked', async () => {
    await b.locator('.message', { hasText: 'welcome to the club' }).locator('.reply-preview').click();
    await b.locator('.message-slot.jump-target', { hasText: 'hi alice!' }).waitFor();
  });

  it('says the original was deleted when it is gone', async () => {
    await say(b, 'Message #general', 'a thought I take back');
    const original = a.locator('.message.theirs', { hasText: 'a thought I take back' });
    await original.hover();
    await original.getByRole('button', { name: 'Reply' }).click();
    await a.getByRole('textbox', { name: 'Message #general' }).fill('what did you mean?');
    await screenshot(a, 'replies');
    await a.getByRole('textbox', { name: 'Message #general' }).press('Enter');
    await b.locator('.message', { hasText: 'what did you mean?' }).locator('.reply-preview').waitFor();
    const mine = b.locator('.message.mine', { hasText: 'a thought I take back' });
    await mine.hover();
    await mine.getByRole('button', { name: 'Delete message' }).click();
    await b.getByRole('dialog', { name: 'Delete message' }).getByRole('button', { name: 'Delete' }).click();
    for (const page of [a, b]) {
      await page
        .locator('.message', { hasText: 'what did you mean?' })
        .locator('.reply-preview.deleted em', { hasText: 'Original message was deleted' })
        .waitFor();
    }
  });

  it('pins for the owner only, and lists pins live in the pinned panel; a click jumps', async () => {
    const theirs = b.locator('.message', { hasText: 'hello bob' });
    await theirs.hover();
    await theirs.getByRole('button', { name: 'Reply' }).waitFor();
    expect(await theirs.getByRole('button', { name: 'Pin message' }).count()).toBe(0);
    const first = a.locator('.message', { hasText: 'hello bob' });
    await first.hover();
    await first.getByRole('button', { name: 'Pin message' }).click();
    await b.getByRole('button', { name: 'Pinned messages' }).click();
    const panel = b.getByRole('dialog', { name: 'Pinned messages' });
    await panel.getByRole('listitem').filter({ hasText: 'hello bob' }).waitFor();
    // Live: a pin made while the panel is open shows at the top.
    const second = a.locator('.message.theirs', { hasText: 'hi alice!' });
    await second.hover();
    await second.getByRole('button', { name: 'Pin message' }).click();
    await expect
      .poll(() => panel.getByRole('listitem').allTextContents())
      .toEqual([expect.stringContaining('hi alice!'), expect.stringContaining('hello bob')]);
    await screenshot(b, 'pins');
    await panel.getByRole('button', { name: /hello bob/ }).click();
    await panel.waitFor({ state: 'detached' });
    await b.locator('.message-slot.jump-target', { hasText: 'hello bob' }).waitFor();
    // Unpinned, it leaves the list.
    await first.hover();
    await first.getByRole('button', { name: 'Unpin message' }).click();
    await b.getByRole('button', { name: 'Pinned messages' }).click();
    await expect.poll(() => panel.getByRole('listitem').count()).toBe(1);
    await panel.getByRole('button', { name: 'Close' }).click();
  });

  it('reacts through the picker (search "thumbs"); the other side sees the count live', async () => {
    // Bob's message itself, not Alice's reply that quotes it.
    const theirs = a.locator('.message', { hasText: 'hi alice!', hasNot: a.locator('.reply-preview') });
    await theirs.hover();
    await theirs.getByRole('button', { name: 'Add reaction' }).click();
    const picker = a.getByRole('dialog', { name: 'Add reaction' });
    await picker.getByRole('button', { name: 'grinning face', exact: true }).waitFor();
    await screenshot(a, 'emoji-picker');
    await picker.getByRole('searchbox', { name: 'Search emoji' }).fill('thumbs');
    await picker.getByRole('button', { name: 'thumbs up', exact: true }).click();
    await picker.waitFor({ state: 'detached' });
    const chip = (page: Page) =>
      page
        .locator('.message', { hasText: 'hi alice!', hasNot: page.locator('.reply-preview') })
        .getByRole('button', { name: /^👍 \d/ });
    await expect.poll(() => chip(b).textContent()).toBe('👍1');
    expect(await chip(a).getAttribute('aria-pressed')).toBe('true');
    expect(await chip(b).getAttribute('aria-pressed')).toBe('false');
  });

  it('the other person toggles the reaction on and off; hover says who reacted', async () => {
    const chip = (page: Page) =>
      page
        .locator('.message', { hasText: 'hi alice!', hasNot: page.locator('.reply-preview') })
        .getByRole('button', { name: /^👍 \d/ });
    await chip(b).click();
    await expect.poll(() => chip(a).textContent()).toBe('👍2');
    expect(await chip(b).getAttribute('aria-pressed')).toBe('true');
    await chip(a).hover();
    await a.getByRole('tooltip').filter({ hasText: 'You and bob reacted with 👍' }).waitFor();
    await screenshot(a, 'reactions');
    await chip(b).click();
    await expect.poll(() => chip(a).textContent()).toBe('👍1');
    expect(await chip(b).getAttribute('aria-pressed')).toBe('false');
  });

  it('the composer inserts an emoji from its button at the caret', async () => {
    const box = a.getByRole('textbox', { name: 'Message #general' });
    await box.fill('party time');
    await box.press('Home');
    await a.getByRole('button', { name: 'Choose an emoji' }).click();
    const picker = a.getByRole('dialog', { name: 'Emoji picker' });
    await picker.getByRole('searchbox', { name: 'Search emoji' }).fill('party popper');
    await picker.getByRole('button', { name: 'party popper', exact: true }).click();
    await expect.poll(() => box.inputValue()).toBe('🎉party time');
    await box.press('Enter');
    await b.getByRole('log').getByText('🎉party time').waitFor();
  });

  it('offers :shortcode: matches (Tab picks) and turns a complete :smile: into its emoji on send', async () => {
    const box = a.getByRole('textbox', { name: 'Message #general' });
    await box.pressSequentially('so :smi');
    const list = a.getByRole('listbox', { name: 'Emoji' });
    await list.getByRole('option', { name: /:smile:/ }).waitFor();
    await box.press('Tab');
    await expect.poll(() => box.inputValue()).toBe('so 😄 ');
    await box.pressSequentially('and :smile:');
    await box.press('Enter');
    await b.getByRole('log').getByText('so 😄 and 😄').waitFor();
  });

  it("offers the channel's people on @ (arrows and Enter insert the name)", async () => {
    const box = b.getByRole('textbox', { name: 'Message #general' });
    await box.pressSequentially('thanks @al');
    const list = b.getByRole('listbox', { name: 'Mentions' });
    await list.getByRole('option', { name: 'alice' }).waitFor();
    await box.press('ArrowDown');
    await box.press('Enter');
    await expect.poll(() => box.inputValue()).toBe('thanks @alice ');
    await box.press('Enter');
    await a.locator('.message.mentions-me', { hasText: 'thanks @alice' }).waitFor();
  });
});
