import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Coturn, haveCoturn, startCoturn } from '../apps/server/test/coturn.js';
import { befriend, people, restClient } from '../apps/server/test/people.js';
import { startTestServer, type TestServer } from '../apps/server/test/test-server.js';
import { loggedIn } from './support/accounts.js';
import { FAKE_MEDIA, launchBrowser, type Person, screenshot } from './support/browser.js';
import { openConnections, untilReceiving, watchPeerConnections } from './support/peer-connections.js';
import { story } from './support/story.js';

const SECRET = 'e2e-turn-secret-0123456789';

/**
 * Voice settings, and a call that goes only through a real coturn (use-auth-secret, the
 * credentials the server hands out): both people tick "hide my address" in their settings.
 */
describe.runIf(haveCoturn)('voice settings and relay-only calls through TURN', () => {
  let coturn: Coturn;
  let server: TestServer;
  let browser: Browser;
  let ann: Person;
  let ben: Person;
  let a: Page;
  let b: Page;
  let dmPath = '';
  let annToken = '';

  beforeAll(async () => {
    coturn = await startCoturn(SECRET, { relayBetweenLocalClients: true });
    const turn = { urls: [`turn:127.0.0.1:${coturn.port}?transport=udp`], secret: SECRET, ttlSeconds: 600 };
    [server, browser] = await Promise.all([
      startTestServer({ config: { voice: { turn } } }),
      launchBrowser(FAKE_MEDIA),
    ]);
    const [annUser, benUser] = await people(server.url, ['ann', 'ben']);
    await befriend(annUser, benUser);
    annToken = annUser.token;
    const dm = await restClient(server.url, annUser.token).openDm({ userId: benUser.id });
    dmPath = `/channels/@me/${dm.id}`;
    [ann, ben] = await Promise.all([
      loggedIn(browser, server.url, annUser.token),
      loggedIn(browser, server.url, benUser.token),
    ]);
    a = ann.page;
    b = ben.page;
    await Promise.all([watchPeerConnections(a), watchPeerConnections(b)]);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await coturn?.stop();
  });

  story(() => ({ ann, ben }));

  /** The Voice & audio section of the settings page, opened from the user panel's gear. */
  const settings = (page: Page) => page.getByRole('region', { name: 'Voice & audio' });
  const openSettings = async (page: Page) => {
    await page.getByRole('button', { name: 'User settings' }).click();
    await page
      .getByRole('navigation', { name: 'Settings' })
      .getByRole('link', { name: 'Voice & audio' })
      .click();
  };
  const closeSettings = (page: Page) => page.getByRole('button', { name: 'Close settings' }).click();

  it('lists the microphones and shows the level of the chosen one in the mic test', async () => {
    await a.goto('/channels/@me');
    await openSettings(a);
    const dialog = settings(a);
    await dialog.getByRole('button', { name: 'Test my microphone' }).click();
    const meter = dialog.getByRole('meter', { name: 'Microphone level' });
    await expect
      .poll(async () => Number(await meter.getAttribute('value')), { timeout: 10_000 })
      .toBeGreaterThan(0);
    // Once the page may use a microphone, the browser names the devices.
    await expect
      .poll(() => dialog.getByLabel('Microphone').locator('option').allTextContents())
      .toContain('Fake Default Audio Input');
    await screenshot(a, 'voice-settings');
    await dialog.getByRole('button', { name: 'Stop test' }).click();
  });

  it('saves the call sound to the account (Settings → Notifications)', async () => {
    const nav = a.getByRole('navigation', { name: 'Settings' });
    await nav.getByRole('link', { name: 'Notifications' }).click();
    await a
      .getByRole('region', { name: 'Notifications' })
      .getByLabel('Call sound', { exact: true })
      .selectOption('bell');
    const saved = async () => (await restClient(server.url, annToken).getSettings()).notifications.callSound;
    await expect.poll(saved).toBe('bell');
    await nav.getByRole('link', { name: 'Voice & audio' }).click();
  });

  it('keeps "hide my address" per browser', async () => {
    await settings(a)
      .getByLabel(/Hide my address/)
      .check();
    await closeSettings(a);
    await b.goto('/channels/@me');
    await openSettings(b);
    await settings(b)
      .getByLabel(/Hide my address/)
      .check();
    await closeSettings(b);
    await a.reload();
    await openSettings(a);
    expect(
      await settings(a)
        .getByLabel(/Hide my address/)
        .isChecked(),
    ).toBe(true);
    await closeSettings(a);
    await a.waitForURL('**/channels/@me');
  });

  it('connects a call through the relay only, and the audio flows', async () => {
    await a.goto(dmPath);
    await a.getByRole('button', { name: 'Call ben' }).click();
    await b
      .getByRole('alertdialog', { name: 'Incoming call from ann' })
      .getByRole('button', { name: 'Accept call' })
      .click();
    try {
      await untilReceiving(a, 1, { timeout: 30_000 });
      await untilReceiving(b, 1, { timeout: 30_000 });
    } catch (err) {
      throw new Error(`${String(err)}\ncoturn:\n${coturn.log()}`);
    }
    for (const page of [a, b]) {
      const [connection] = await openConnections(page);
      expect(connection?.localCandidateType).toBe('relay');
    }
  });
});
