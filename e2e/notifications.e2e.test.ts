import type { Channel } from '@decentra/protocol';
import { DEFAULT_USER_SETTINGS } from '@decentra/protocol';
import type { Browser, CDPSession, Page } from 'playwright-core';
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
import { FAKE_MEDIA, launchBrowser, type Person, screenshot } from './support/browser.js';
import { anotherTab } from './support/extra-pages.js';
import {
  calls,
  clearRecorded,
  clickNewestNotification,
  clickWorkerNotification,
  deliverPush,
  permissionUnanswered,
  playedSounds,
  setFocused,
  shownNotifications,
  watchNotifications,
  workerNotifications,
  workerScript,
} from './support/notifications.js';
import { story } from './support/story.js';

/** The tones of the sounds these steps hear (apps/web/src/features/voice/sounds.ts). */
const TONES = {
  messageDefault: [740, 988],
  messageChime: [1319, 1760],
  callDefault: [440, 480, 440, 480],
};

/**
 * Desktop notifications in a real Chromium: ben's browser may show them (permission granted) and
 * records what it shows and plays; his page is taken out of focus through CDP, as a tab in the
 * background would be. ann writes through the SDK, and calls from her own browser.
 */
describe('notifications', () => {
  let server: TestServer;
  let browser: Browser;
  let ann: User;
  let ben: User;
  let annBrowser: Person;
  let benBrowser: Person;
  let benSettings: Page;
  let benSecondTab: Page;
  let fresh: Person | undefined;
  let b: Page;
  let cdp: CDPSession;
  let dm: Channel;
  let general = '';
  let clubId = '';

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer(), launchBrowser(FAKE_MEDIA)]);
    [ann, ben] = await people(server.url, ['ann', 'ben']);
    await befriend(ann, ben);
    dm = await ann.rest.openDm({ userId: ben.id });
    const club = await serverWith(ann, 'Club', [ben]);
    clubId = club.id;
    general = textChannelOf(club);
    [annBrowser, benBrowser] = await Promise.all([
      loggedIn(browser, server.url, ann.token),
      loggedIn(browser, server.url, ben.token),
    ]);
    await benBrowser.context.grantPermissions(['notifications'], { origin: server.url });
    b = benBrowser.page;
    await watchNotifications(benBrowser.context);
    cdp = await benBrowser.context.newCDPSession(b);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  story(() => ({ ann: annBrowser, ben: benBrowser, fresh }));

  const send = (channelId: string, content: string) => ann.rest.sendMessage({ channelId, content });
  const settings = (patch: Partial<typeof DEFAULT_USER_SETTINGS.notifications>) =>
    ben.rest.putSettings({ notifications: { ...DEFAULT_USER_SETTINGS.notifications, ...patch } });
  /** Takes the focus from ben's page again (a click on a popup may have given it back). */
  const away = async () => {
    await setFocused(b, cdp, true);
    await setFocused(b, cdp, false);
  };
  /** Waits for a popup with this body, then gives every popup recorded since the last clear. */
  const popupsUntil = async (page: Page, body: string) => {
    await expect.poll(async () => (await shownNotifications(page)).map((n) => n.body)).toContain(body);
    return shownNotifications(page);
  };

  it('ben reads a DM in a page without focus; no banner where the permission is granted', async () => {
    await b.goto(`/channels/@me/${dm.id}`);
    await b.getByRole('navigation', { name: 'Servers' }).waitFor();
    await b.getByRole('region', { name: '@ann' }).waitFor();
    expect(await b.getByRole('region', { name: 'Desktop notifications' }).count()).toBe(0);
    await setFocused(b, cdp, false);
    expect(
      await b.evaluate(() => ({ focus: document.hasFocus(), permission: Notification.permission })),
    ).toEqual({
      focus: false,
      permission: 'granted',
    });
  });

  it('a DM pops up with the author as title and the text as body, and plays the message sound', async () => {
    await send(dm.id, 'Dinner at 8?');
    expect(await popupsUntil(b, 'Dinner at 8?')).toEqual([
      { title: 'ann', body: 'Dinner at 8?', tag: dm.id },
    ]);
    await expect.poll(() => playedSounds(b)).toEqual([{ volume: 0.8, hz: TONES.messageDefault }]);
  });

  it('a burst replaces its popup (one tag) and plays no second sound; an image link reads [image]', async () => {
    await send(dm.id, 'https://example.org/photos/cat.png');
    const shown = await popupsUntil(b, '[image]');
    expect(shown.map((n) => n.tag)).toEqual([dm.id, dm.id]);
    // Sent within the 2 s of the first sound: the same burst.
    expect(await playedSounds(b)).toHaveLength(1);
  });

  it('mode mentions: a plain channel message gives nothing, a mention of ben pops up', async () => {
    await settings({ mode: 'mentions' });
    await clearRecorded(b);
    await send(general, 'plain words for everyone');
    await send(general, '@ben can you look?');
    expect(await popupsUntil(b, '@ben can you look?')).toEqual([
      { title: 'ann (#general, Club)', body: '@ben can you look?', tag: general },
    ]);
  });

  it('a click on the popup focuses the window and opens the channel', async () => {
    const before = await calls(b);
    await clickNewestNotification(b);
    await b.waitForURL(`**/channels/${clubId}/${general}`);
    await b.getByRole('region', { name: '#general' }).waitFor();
    expect((await calls(b)).focusCalls).toBe(before.focusCalls + 1);
  });

  it('the channel being read (focused, on screen) gives no popup and no sound; another one does', async () => {
    await setFocused(b, cdp, true);
    await clearRecorded(b);
    await send(general, 'read as it comes');
    await b.getByText('read as it comes').waitFor();
    await send(dm.id, 'meanwhile in the DM');
    expect(await popupsUntil(b, 'meanwhile in the DM')).toEqual([
      { title: 'ann', body: 'meanwhile in the DM', tag: dm.id },
    ]);
  });

  it('mode nothing: no popup; back to all messages, the next DM pops up again', async () => {
    await away();
    await settings({ mode: 'none' });
    await clearRecorded(b);
    await send(dm.id, 'are you there?');
    await settings({ mode: 'all' });
    await send(dm.id, 'ping');
    expect(await popupsUntil(b, 'ping')).toEqual([{ title: 'ann', body: 'ping', tag: dm.id }]);
  });

  it('a muted channel gives nothing', async () => {
    await ben.rest.updateNotificationOverride({ targetId: general, mute: 'forever' });
    await clearRecorded(b);
    await send(general, 'nobody hears this');
    await send(dm.id, 'after the mute');
    expect(await popupsUntil(b, 'after the mute')).toEqual([
      { title: 'ann', body: 'after the mute', tag: dm.id },
    ]);
    await ben.rest.updateNotificationOverride({ targetId: general, mute: null });
  });

  it('an incoming call pops up with the caller’s name and rings with the call sound; a click shows the dialog', async () => {
    const a = annBrowser.page;
    await a.goto(`/channels/@me/${dm.id}`);
    await away();
    await clearRecorded(b);
    await a.getByRole('button', { name: 'Call ben' }).click();
    await expect
      .poll(() => shownNotifications(b))
      .toEqual([{ title: 'ann is calling you', body: 'Incoming call', tag: 'call' }]);
    await expect
      .poll(async () => (await playedSounds(b)).at(0))
      .toEqual({ volume: 0.8, hz: TONES.callDefault });
    const before = await calls(b);
    await clickNewestNotification(b);
    expect((await calls(b)).focusCalls).toBe(before.focusCalls + 1);
    const dialog = b.getByRole('alertdialog', { name: 'Incoming call from ann' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Decline call' }).click();
    await dialog.waitFor({ state: 'detached' });
  });

  it('Settings → Notifications saves the mode, the sounds and the volume, and a second tab follows', async () => {
    benSettings = await anotherTab(benBrowser);
    benSecondTab = await anotherTab(benBrowser);
    await benSettings.goto('/settings/notifications');
    await benSecondTab.goto('/settings/notifications');
    const pane = (page: Page) => page.getByRole('region', { name: 'Notifications' });
    await pane(benSettings)
      .getByRole('radio', { name: /Only mentions/ })
      .check();
    await pane(benSettings).getByLabel('Message sound', { exact: true }).selectOption('chime');
    await pane(benSettings).getByRole('slider', { name: 'Volume' }).fill('40');
    await expect
      .poll(async () => (await ben.rest.getSettings()).notifications)
      .toMatchObject({ mode: 'mentions', messageSound: 'chime', volume: 40 });
    await expect
      .poll(() =>
        pane(benSecondTab)
          .getByRole('radio', { name: /Only mentions/ })
          .isChecked(),
      )
      .toBe(true);
    await expect
      .poll(() => pane(benSecondTab).getByLabel('Message sound', { exact: true }).inputValue())
      .toBe('chime');
    await expect
      .poll(() => pane(benSecondTab).getByRole('slider', { name: 'Volume' }).inputValue())
      .toBe('40');
    await pane(benSettings).getByRole('button', { name: 'Play message sound' }).click();
    await expect
      .poll(async () => (await playedSounds(benSettings)).at(-1))
      .toEqual({
        volume: 0.4,
        hz: TONES.messageChime,
      });
    await screenshot(benSettings, 'settings-notifications');
  });

  it('a message then plays the chosen sound at the chosen volume', async () => {
    await settings({ messageSound: 'chime', volume: 40 });
    await away();
    await clearRecorded(b);
    // One sound per 2 s burst: send until one is heard (the first, unless the last sound was just now).
    let n = 0;
    await expect
      .poll(
        async () => {
          n += 1;
          await send(dm.id, `are you there? (${n})`);
          return (await playedSounds(b)).at(-1);
        },
        { interval: 1_000, timeout: 15_000 },
      )
      .toEqual({ volume: 0.4, hz: TONES.messageChime });
  });

  it('the push switch registers the service worker, whose push handler shows the payload', async () => {
    const pane = benSettings.getByRole('region', { name: 'Notifications' });
    expect(await workerScript(benSettings)).toBeNull();
    await pane.getByRole('switch', { name: 'Push notifications when Decentra is closed' }).click();
    await expect.poll(() => workerScript(benSettings)).toBe(`${server.url}/sw.js`);
    // Headless Chromium has no push service: the subscription is refused, and the page says so.
    await pane
      .getByRole('alert')
      .getByText(/^Could not turn push on: /)
      .waitFor();
    const settingsCdp = await benBrowser.context.newCDPSession(benSettings);
    const payload = {
      title: 'ann',
      body: 'sent while you were away',
      url: `/channels/@me/${dm.id}`,
      tag: dm.id,
    };
    await deliverPush(settingsCdp, server.url, payload);
    await expect.poll(() => workerNotifications(benSettings)).toEqual([payload]);
  });

  it('a click on the worker’s notification brings a page of the app to the channel', async () => {
    await clickWorkerNotification(benBrowser.context, server.url);
    const pages = [b, benSettings, benSecondTab];
    await expect.poll(() => pages.map((p) => new URL(p.url()).pathname)).toContain(`/channels/@me/${dm.id}`);
  });

  it('the banner explains notifications after login; Enable asks the browser from the click', async () => {
    fresh = await loggedIn(browser, server.url, ben.token);
    await watchNotifications(fresh.page);
    await permissionUnanswered(fresh.page, server.url);
    await fresh.page.goto('/channels/@me');
    const banner = fresh.page.getByRole('region', { name: 'Desktop notifications' });
    await banner.waitFor();
    await screenshot(fresh.page, 'notification-banner');
    await banner.getByRole('button', { name: 'Enable' }).click();
    await banner.waitFor({ state: 'detached' });
    expect((await calls(fresh.page)).permissionRequests).toBe(1);
    await fresh.context.close();
  });

  it('Not now hides the banner for good in that browser', async () => {
    fresh = await loggedIn(browser, server.url, ben.token);
    const page = fresh.page;
    await permissionUnanswered(page, server.url);
    await page.goto('/channels/@me');
    const banner = page.getByRole('region', { name: 'Desktop notifications' });
    await banner.getByRole('button', { name: 'Not now' }).click();
    await banner.waitFor({ state: 'detached' });
    await page.reload();
    await page.getByRole('navigation', { name: 'Servers' }).waitFor();
    // The banner renders with the shell or not at all: once the shell is there, it is not.
    expect(await banner.count()).toBe(0);
    expect(await page.evaluate(() => Notification.permission)).toBe('default');
  });

  it('logging out takes the service worker away (no pushes for a logged-out account)', async () => {
    expect(await workerScript(benSettings)).toBe(`${server.url}/sw.js`);
    await benSettings.getByRole('button', { name: 'Close settings' }).click();
    await benSettings.getByRole('button', { name: 'Log out' }).click();
    await benSettings.waitForURL('**/login');
    await expect.poll(() => workerScript(benSettings)).toBeNull();
  });
});
