import type { Server } from '@decentra/protocol';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  befriend,
  people,
  serverWith,
  textChannelOf,
  type Person as User,
} from '../apps/server/test/people.js';
import { startTestServer, type TestServer } from '../apps/server/test/test-server.js';
import { loggedIn } from './support/accounts.js';
import { launchBrowser, type Person, say, screenshot } from './support/browser.js';
import { story } from './support/story.js';
import { isSeen, realFocus, secondTab } from './support/tabs.js';

/**
 * Unread state as ben sees it while ann writes: bold channels, mention badges on channels, DMs,
 * server and home icons, the tab title and icon, the new-messages line, reading only while the page
 * is seen, acks reaching ben's other tab, mutes from the notification-rules menu, counts after a
 * reload, and jump to present.
 */
describe('unread messages, mentions and notification rules', () => {
  let server: TestServer;
  let browser: Browser;
  let annUser: User;
  let benUser: User;
  let club: Server;
  let ann: Person;
  let ben: Person;
  let benTab: Person;
  let a: Page;
  let b: Page;
  let b2: Page;
  let general: string;
  let news: string;
  let random: string;
  let dmId: string;
  let books: Server;
  /** The acks ben's first tab sent, by channel, as they left the page. */
  const acksSent: Array<{ channelId: string; at: number }> = [];

  const url = (channelId: string) => `/channels/${club.id}/${channelId}`;
  const sidebar = () => b.getByRole('list', { name: 'Text channels' });
  const rail = (page: Page) => page.getByRole('navigation', { name: 'Servers' });
  const row = (name: string) => sidebar().getByRole('link', { name: new RegExp(`^${name}(,|$)`) });
  const log = () => b.getByRole('log');

  beforeAll(async () => {
    // Sending as fast as a test does (the send limit has tests of its own).
    [server, browser] = await Promise.all([
      startTestServer({ sendLimits: { points: 1_000, windowSeconds: 1 } }),
      launchBrowser(),
    ]);
    [annUser, benUser] = await people(server.url, ['ann', 'ben']);
    await befriend(annUser, benUser);
    club = await serverWith(annUser, 'Unread Club', [benUser]);
    general = textChannelOf(club);
    news = (await annUser.rest.createChannel({ serverId: club.id, name: 'news', type: 'text' })).id;
    random = (await annUser.rest.createChannel({ serverId: club.id, name: 'random', type: 'text' })).id;
    dmId = (await annUser.rest.openDm({ userId: benUser.id })).id;
    books = await serverWith(annUser, 'Book Club', [benUser]);
    ann = await loggedIn(browser, server.url, annUser.token);
    ben = await loggedIn(browser, server.url, benUser.token);
    a = ann.page;
    b = ben.page;
    b.on('websocket', (ws) =>
      ws.on('framesent', ({ payload }) => {
        const frame: unknown = JSON.parse(String(payload));
        if (typeof frame !== 'object' || frame === null || Reflect.get(frame, 'op') !== 'ack') return;
        acksSent.push({
          channelId: String(Reflect.get(Reflect.get(frame, 'd'), 'channelId')),
          at: Date.now(),
        });
      }),
    );
    // Ben's page has focus only while it is the tab in front; his second tab stays on Friends.
    benTab = await secondTab(ben);
    b2 = benTab.page;
    await b2.goto('/channels/@me');
    await a.goto(url(news));
    await b.goto(url(general));
    await realFocus(b);
    await b.bringToFront();
    await b.getByRole('textbox', { name: 'Message #general' }).waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  story(() => ({ ann, ben, benTab }));

  it('shows a channel with a new message in bold, without a badge', async () => {
    expect(await isSeen(b)).toBe(true);
    await say(a, 'Message #news', 'first news of the day');
    await row('news, unread').waitFor();
    await expect.poll(() => row('news').getAttribute('class')).toContain('is-unread');
    expect(await row('news').getByRole('img').count()).toBe(0);
    // Read channels stay dimmed: general is on screen, random has nothing new.
    expect(await row('random').getAttribute('aria-label')).toBe('random');
  });

  it('badges the channel, the server icon and the tab title when ann mentions ben', async () => {
    await say(a, 'Message #news', '@ben have a look at this');
    await row('news').getByRole('img', { name: '1 mention' }).waitFor();
    await rail(b).getByRole('link', { name: 'Unread Club, unread, 1 mention' }).waitFor();
    await expect.poll(() => b.title()).toBe('(1) Decentra');
    await expect.poll(() => b2.title()).toBe('(1) Decentra');
    const icon = await b.locator('link[rel="icon"]').getAttribute('href');
    expect(icon).toMatch(/^data:image\/png;base64,/);
  });

  it('opens the channel at a "New messages" line above the first unread message, and reads it in both tabs', async () => {
    await row('news').click();
    const line = log().locator('.message-slot', { has: b.locator('.new-messages-line') });
    await expect.poll(() => line.textContent()).toContain('first news of the day');
    await sidebar().getByRole('link', { name: 'news', exact: true }).waitFor();
    await rail(b).getByRole('link', { name: 'Unread Club', exact: true }).waitFor();
    await expect.poll(() => b.title()).toBe('Decentra');
    await expect.poll(() => b.locator('link[rel="icon"]').getAttribute('href')).toBe('data:,');
    // The other tab heard of the ack from the server.
    await expect.poll(() => b2.title()).toBe('Decentra');
    await rail(b2).getByRole('link', { name: 'Unread Club', exact: true }).waitFor();
    const state = await benUser.rest.getReadState({ channelId: news });
    expect(state.mentionCount).toBe(0);
    expect(state.lastReadId).toBe(state.lastMessageId);
  });

  it('badges the home icon for a DM, shows a pip on a server unread without mentions, and keeps the line', async () => {
    await annUser.rest.sendMessage({ channelId: random, content: '@ben over here too' });
    await annUser.rest.sendMessage({ channelId: dmId, content: 'psst, a DM' });
    await annUser.rest.sendMessage({ channelId: textChannelOf(books), content: 'chapter one is out' });
    const bookIcon = b.getByRole('link', { name: 'Book Club, unread', exact: true });
    await rail(b).locator('.rail-item', { has: bookIcon }).locator('.rail-pip').waitFor();
    await rail(b)
      .getByRole('link', { name: /^Direct Messages \/ Friends, 1 mention$/ })
      .waitFor();
    await row('random').getByRole('img', { name: '1 mention' }).waitFor();
    await rail(b).getByRole('link', { name: 'Unread Club, unread, 1 mention' }).waitFor();
    await expect.poll(() => b.title()).toBe('(2) Decentra');
    await b.locator('.new-messages-line').waitFor();
    await screenshot(b, 'unread');
  });

  it('shows the DM bold with its count, and reads it when opened', async () => {
    await rail(b)
      .getByRole('link', { name: /^Direct Messages/ })
      .click();
    const dms = b.getByRole('list', { name: 'Direct messages' });
    await dms.getByRole('link', { name: /^ann \(online\), unread, 1 mention$/ }).click();
    await log().getByText('psst, a DM').waitFor();
    await dms.getByRole('link', { name: 'ann (online)', exact: true }).waitFor();
    await rail(b).getByRole('link', { name: 'Direct Messages / Friends', exact: true }).waitFor();
    await expect.poll(() => b.title()).toBe('(1) Decentra');
  });

  it('leaves a message in the open channel unread while the page has no focus, until it is focused', async () => {
    await rail(b)
      .getByRole('link', { name: /^Unread Club/ })
      .click();
    await row('news').click();
    await b.getByRole('textbox', { name: 'Message #news' }).waitFor();
    await b2.bringToFront();
    expect(await isSeen(b)).toBe(false);
    await say(a, 'Message #news', '@ben are you still there?');
    await log().getByText('are you still there?').waitFor();
    // Ben's other tab counts it too: the event has reached his browser, and nothing acked it.
    await expect.poll(() => b2.title()).toBe('(2) Decentra');
    await row('news').getByRole('img', { name: '1 mention' }).waitFor();
    expect((await benUser.rest.getReadState({ channelId: news })).mentionCount).toBe(1);
    await b.bringToFront();
    expect(await isSeen(b)).toBe(true);
    await sidebar().getByRole('link', { name: 'news', exact: true }).waitFor();
    await expect.poll(() => b2.title()).toBe('(1) Decentra');
    // Coming back to an unread channel shows where the unread part starts.
    const line = log().locator('.message-slot', { has: b.locator('.new-messages-line') });
    await expect.poll(() => line.textContent()).toContain('are you still there?');
  });

  it('takes the line away on Escape', async () => {
    await log().focus();
    await b.keyboard.press('Escape');
    await b.locator('.new-messages-line').waitFor({ state: 'detached' });
  });

  it('opens the notification rules of a channel from its "…" button, with the keyboard', async () => {
    await row('general').click();
    await say(a, 'Message #news', '@ben one more thing');
    await row('news').getByRole('img', { name: '1 mention' }).waitFor();
    const button = sidebar().getByRole('button', { name: 'Notifications for news' });
    await button.focus();
    await b.keyboard.press('Enter');
    const menu = b.getByRole('menu', { name: 'Notifications for news' });
    await menu.waitFor();
    await menu
      .getByRole('menuitemradio', { name: /^Default \(follows your settings: All messages\)$/ })
      .waitFor();
    expect(await menu.getByRole('menuitemradio', { checked: true }).textContent()).toMatch(/^Default/);
    // Focus starts on the first item and moves with the arrow keys.
    await expect.poll(() => b.evaluate(() => document.activeElement?.textContent)).toBe('Mark as read');
    await b.keyboard.press('ArrowDown');
    await expect.poll(() => b.evaluate(() => document.activeElement?.textContent)).toMatch(/^Default/);
    await screenshot(b, 'notification-menu');
    await b.keyboard.press('Escape');
    await menu.waitFor({ state: 'detached' });
    await expect.poll(() => button.evaluate((el) => el === document.activeElement)).toBe(true);
    // The button opens it and closes it again.
    await button.click();
    await menu.waitFor();
    await button.click();
    await menu.waitFor({ state: 'detached' });
  });

  it('mutes a channel from its context menu: no bold, no badge, no count, even for new mentions', async () => {
    await row('news').click({ button: 'right' });
    const menu = b.getByRole('menu', { name: 'Notifications for news' });
    await menu.getByRole('menuitem', { name: 'Mute for 1 hour' }).click();
    await menu.waitFor({ state: 'detached' });
    await row('news, muted').waitFor();
    expect(await row('news').getByRole('img').count()).toBe(0);
    await expect.poll(() => b.title()).toBe('(1) Decentra');
    await say(a, 'Message #news', '@ben and another mention');
    // What comes after it: a mention in random, counted, while news still shows nothing.
    await annUser.rest.sendMessage({ channelId: random, content: '@ben second ping' });
    await row('random').getByRole('img', { name: '2 mentions' }).waitFor();
    expect(await row('news').getAttribute('aria-label')).toBe('news, muted');
    await expect.poll(() => b.title()).toBe('(2) Decentra');
    // The menu now offers to unmute, saying until when (with the weekday when that is tomorrow:
    // a mute for an hour set after 23:00 ends on the next day).
    await row('news').click({ button: 'right' });
    await menu
      .getByRole('menuitem', { name: /^Unmute \(Muted until ([A-Z][a-z]{2} )?\d\d:\d\d\)$/ })
      .waitFor();
    await b.keyboard.press('Escape');
  });

  it('shows everything as the server says after a reload', async () => {
    await b.reload();
    await realFocus(b);
    await b.bringToFront();
    await b.getByRole('textbox', { name: 'Message #general' }).waitFor();
    await row('news, muted').waitFor();
    await row('random').getByRole('img', { name: '2 mentions' }).waitFor();
    await rail(b).getByRole('link', { name: 'Unread Club, unread, 2 mentions' }).waitFor();
    await expect.poll(() => b.title()).toBe('(2) Decentra');
  });

  it('sets a server to only @mentions and marks it read from its icon in the rail', async () => {
    await rail(b)
      .getByRole('link', { name: /^Unread Club/ })
      .click({ button: 'right' });
    const menu = b.getByRole('menu', { name: 'Notifications for Unread Club' });
    await menu.getByRole('menuitemradio', { name: 'Only @mentions' }).click();
    await menu.waitFor({ state: 'detached' });
    await rail(b)
      .getByRole('link', { name: /^Unread Club/ })
      .click({ button: 'right' });
    await menu.getByRole('menuitemradio', { name: 'Only @mentions', checked: true }).waitFor();
    await menu.getByRole('menuitem', { name: 'Mark as read' }).click();
    await sidebar().getByRole('link', { name: 'random', exact: true }).waitFor();
    await rail(b).getByRole('link', { name: 'Unread Club', exact: true }).waitFor();
    await expect.poll(() => b.title()).toBe('Decentra');
    await expect.poll(() => b2.title()).toBe('Decentra');
    // A channel's default now follows the server's rule, and says so.
    await row('general').click({ button: 'right' });
    const channelMenu = b.getByRole('menu', { name: 'Notifications for general' });
    await channelMenu
      .getByRole('menuitemradio', { name: 'Default (follows the server: Only @mentions)', checked: true })
      .waitFor();
    await b.keyboard.press('Escape');
    await channelMenu.waitFor({ state: 'detached' });
  });

  it('acks a burst of messages about once a second, not once per message', async () => {
    await row('general').click();
    await b.getByRole('textbox', { name: 'Message #general' }).waitFor();
    const started = Date.now();
    let last = '';
    for (let i = 1; i <= 12; i++) {
      last = (await annUser.rest.sendMessage({ channelId: general, content: `burst ${i}` })).id;
    }
    const seconds = Math.ceil((Date.now() - started) / 1000);
    await log().getByText('burst 12', { exact: true }).waitFor();
    await expect
      .poll(async () => (await benUser.rest.getReadState({ channelId: general })).lastReadId)
      .toBe(last);
    const acks = acksSent.filter((x) => x.channelId === general && x.at >= started);
    expect(acks.length).toBeGreaterThan(0);
    expect(acks.length).toBeLessThanOrEqual(seconds + 2);
  });

  it('opens a channel with more unread than fits on screen at its new-messages line', async () => {
    const updates = (await annUser.rest.createChannel({ serverId: club.id, name: 'updates', type: 'text' }))
      .id;
    await annUser.rest.sendMessage({ channelId: updates, content: 'already read' });
    await row('updates').click();
    await log().getByText('already read').waitFor();
    await sidebar().getByRole('link', { name: 'updates', exact: true }).waitFor();
    await row('general').click();
    for (let i = 1; i <= 40; i++)
      await annUser.rest.sendMessage({ channelId: updates, content: `update ${i}` });
    await row('updates, unread').click();
    const line = b.locator('.new-messages-line');
    await line.waitFor();
    await expect
      .poll(() =>
        line.evaluate((el) => {
          const box = el.getBoundingClientRect();
          const view = el.closest('.message-scroller')?.getBoundingClientRect();
          return !!view && box.top >= view.top && box.bottom <= view.bottom;
        }),
      )
      .toBe(true);
    const first = log().locator('.message-slot', { has: line });
    await expect.poll(() => first.textContent()).toContain('update 1');
  });

  it('offers "Jump to present" far up a long channel, which goes back to the newest message', async () => {
    const long = (await annUser.rest.createChannel({ serverId: club.id, name: 'long', type: 'text' })).id;
    for (let i = 1; i <= 120; i++) await annUser.rest.sendMessage({ channelId: long, content: `line ${i}` });
    await row('long').click();
    await log().getByText('line 120', { exact: true }).waitFor();
    const jump = b.getByRole('button', { name: 'Jump to present' });
    await b.locator('.message-scroller').evaluate((el) => {
      el.scrollTop = 0;
    });
    await jump.waitFor();
    await jump.click();
    await jump.waitFor({ state: 'detached' });
    await expect
      .poll(() =>
        b.locator('.message-scroller').evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight),
      )
      .toBeLessThan(80);
    await log().getByText('line 120', { exact: true }).waitFor();
  });
});
