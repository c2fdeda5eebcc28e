import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { befriend, people, restClient } from '../apps/server/test/people.js';
import { startTestServer, type TestServer } from '../apps/server/test/test-server.js';
import { loggedIn } from './support/accounts.js';
import { FAKE_MEDIA, launchBrowser, type Person, screenshot } from './support/browser.js';
import { openConnections, untilReceiving, watchPeerConnections } from './support/peer-connections.js';
import { story } from './support/story.js';

const RING_MS = 4_000;

/** A call between two friends in two browsers with fake microphones: ring, talk, mute, hang up. */
describe('calls between friends', () => {
  let server: TestServer;
  let browser: Browser;
  let ann: Person;
  let ben: Person;
  let cat: Person;
  let a: Page;
  let b: Page;
  let dmPath = '';

  beforeAll(async () => {
    [server, browser] = await Promise.all([
      startTestServer({ config: { voice: { ringTimeoutMs: RING_MS } } }),
      launchBrowser(FAKE_MEDIA),
    ]);
    const [annUser, benUser, catUser] = await people(server.url, ['ann', 'ben', 'cat']);
    await befriend(annUser, benUser);
    await befriend(catUser, benUser);
    const dm = await restClient(server.url, annUser.token).openDm({ userId: benUser.id });
    dmPath = `/channels/@me/${dm.id}`;
    [ann, ben, cat] = await Promise.all([
      loggedIn(browser, server.url, annUser.token),
      loggedIn(browser, server.url, benUser.token),
      loggedIn(browser, server.url, catUser.token),
    ]);
    a = ann.page;
    b = ben.page;
    await Promise.all([watchPeerConnections(a), watchPeerConnections(b)]);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  story(() => ({ ann, ben, cat }));

  const callBar = (page: Page) => page.getByRole('region', { name: 'Call' });
  const incoming = (page: Page, from: string) =>
    page.getByRole('alertdialog', { name: `Incoming call from ${from}` });

  it('rings: the caller sees who they call with Cancel, the callee a dialog on any page', async () => {
    await a.goto(dmPath);
    await b.goto('/channels/@me');
    await a.getByRole('button', { name: 'Call ben' }).click();
    await callBar(a).getByText('Calling ben…').waitFor();
    await callBar(a).getByRole('button', { name: 'Cancel call' }).waitFor();
    await incoming(b, 'ann').waitFor();
    await screenshot(b, 'call-incoming');
  });

  it('connects on accept, and each side hears the other', async () => {
    await incoming(b, 'ann').getByRole('button', { name: 'Accept call' }).click();
    await callBar(b).getByText('ann', { exact: true }).waitFor();
    await callBar(a).getByText('ben', { exact: true }).waitFor();
    await callBar(a)
      .getByText(/Voice connected/)
      .waitFor();
    await untilReceiving(a, 1, { timeout: 30_000 });
    await untilReceiving(b, 1, { timeout: 30_000 });
    await screenshot(a, 'call');
  });

  it('sends silence while muted, and sound again after unmute', async () => {
    await callBar(a).getByRole('button', { name: 'Mute' }).click();
    await callBar(a).getByRole('button', { name: 'Unmute' }).waitFor();
    await untilReceiving(b, 1, { silent: true, timeout: 10_000 });
    await callBar(a).getByRole('button', { name: 'Unmute' }).click();
    await untilReceiving(b, 1, { timeout: 10_000 });
  });

  it('keeps the call while the caller moves around the app', async () => {
    await a.getByRole('button', { name: 'Friends' }).click();
    await a.waitForURL('**/channels/@me');
    await callBar(a).getByText('ben', { exact: true }).waitFor();
    await untilReceiving(a, 1, { timeout: 10_000 });
  });

  it('ends for both when one hangs up, closes every connection, and leaves a line in the DM', async () => {
    await callBar(b).getByRole('button', { name: 'Hang up' }).click();
    await callBar(a).waitFor({ state: 'detached' });
    await callBar(b).waitFor({ state: 'detached' });
    await expect.poll(async () => (await openConnections(a)).length).toBe(0);
    await expect.poll(async () => (await openConnections(b)).length).toBe(0);
    await a.goto(dmPath);
    await a.getByText(/^Call, \d+ (s|min)$/).waitFor();
  });

  it('tells the caller when the callee declines', async () => {
    await a.getByRole('button', { name: 'Call ben' }).click();
    await incoming(b, 'ann').getByRole('button', { name: 'Decline call' }).click();
    await callBar(a).waitFor({ state: 'detached' });
    await a.getByText('Call declined').waitFor();
    await b.goto(dmPath);
    await b.getByText('You declined a call from ann').waitFor();
  });

  it('is missed when nobody answers in time, and stops ringing', async () => {
    await a.getByRole('button', { name: 'Call ben' }).click();
    await incoming(b, 'ann').waitFor();
    await incoming(b, 'ann').waitFor({ state: 'detached', timeout: RING_MS + 10_000 });
    await callBar(a).waitFor({ state: 'detached' });
    await b.getByText('Missed call from ann').waitFor();
    await a.getByText('Call not answered').waitFor();
  });

  it('says busy when the friend is already in a call', async () => {
    await a.getByRole('button', { name: 'Call ben' }).click();
    await incoming(b, 'ann').getByRole('button', { name: 'Accept call' }).click();
    await callBar(a).getByText('ben', { exact: true }).waitFor();
    const c = cat.page;
    await c.goto('/channels/@me');
    await c.getByRole('button', { name: 'Call ben' }).click();
    await c.getByRole('alert').getByText('ben is in another call.').waitFor();
    expect(await incoming(b, 'cat').count()).toBe(0);
  });

  it('ends the call when a tab closes', async () => {
    await b.close();
    await callBar(a).waitFor({ state: 'detached', timeout: 20_000 });
    await expect.poll(async () => (await openConnections(a)).length).toBe(0);
  });
});
