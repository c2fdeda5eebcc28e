import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { befriend, people, serverWith, voiceChannelOf } from '../apps/server/test/people.js';
import { startTestServer, type TestServer } from '../apps/server/test/test-server.js';
import { loggedIn } from './support/accounts.js';
import { FAKE_MEDIA, launchBrowser, type Person, screenshot } from './support/browser.js';
import { cutGateway, gatewaySockets, watchGatewaySockets } from './support/gateway-sockets.js';
import {
  audioStats,
  openConnections,
  untilReceiving,
  watchPeerConnections,
} from './support/peer-connections.js';
import { story } from './support/story.js';

/** A voice channel with three, then four people in separate browsers, each with a fake microphone. */
describe('voice channels', () => {
  let server: TestServer;
  let browser: Browser;
  const who = ['ann', 'ben', 'cat', 'dan'] as const;
  const browsers: Partial<Record<(typeof who)[number], Person>> = {};
  const page = (name: (typeof who)[number]): Page => {
    const p = browsers[name];
    if (!p) throw new Error(`${name} has no browser`);
    return p.page;
  };
  let voicePath = '';

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer(), launchBrowser(FAKE_MEDIA)]);
    const users = await people(server.url, who);
    const [annUser, ...rest] = users;
    const club = await serverWith(annUser, 'Band', rest);
    const [benUser] = rest;
    if (benUser) await befriend(annUser, benUser);
    voicePath = `/channels/${club.id}/${voiceChannelOf(club)}`;
    for (const [i, name] of who.entries()) {
      const user = users[i];
      if (!user) continue;
      browsers[name] = await loggedIn(browser, server.url, user.token);
      await watchPeerConnections(page(name));
      await watchGatewaySockets(page(name));
    }
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  story(() => browsers);

  const sidebarVoice = (p: Page) => p.getByRole('list', { name: 'Voice channels' });
  const join = async (p: Page) => {
    await p.goto(voicePath.replace(/\/\d+$/, ''));
    await sidebarVoice(p).getByRole('link', { name: 'General' }).click();
    await p.getByRole('region', { name: 'Voice connection' }).waitFor();
  };

  it('joins by clicking the channel, and everyone in the server sees who is in it', async () => {
    await join(page('ann'));
    await page('dan').goto(voicePath.replace(/\/\d+$/, ''));
    await sidebarVoice(page('dan')).getByRole('list', { name: 'In voice: 1' }).getByText('ann').waitFor();
    await join(page('ben'));
    await join(page('cat'));
    await sidebarVoice(page('dan')).getByRole('list', { name: 'In voice: 3' }).waitFor();
  });

  it('carries audio from each one to both others', async () => {
    for (const name of ['ann', 'ben', 'cat'] as const) {
      await untilReceiving(page(name), 2, { timeout: 30_000 });
    }
    await page('ann')
      .getByRole('region', { name: 'Voice connection' })
      .getByText('Voice connected')
      .waitFor();
  });

  it('shows who speaks, and mute to everyone', async () => {
    const list = sidebarVoice(page('ann')).getByRole('list', { name: 'In voice: 3' });
    await expect
      .poll(() => list.locator('[data-speaking="true"]').count(), { timeout: 10_000 })
      .toBeGreaterThan(0);
    await page('ben')
      .getByRole('region', { name: 'Voice connection' })
      .getByRole('button', { name: 'Mute' })
      .click();
    await sidebarVoice(page('dan'))
      .getByRole('listitem')
      .filter({ hasText: 'ben' })
      .getByLabel('muted')
      .waitFor();
    // Clicking the channel also opened its page, with everyone as a tile.
    await page('ann').getByRole('list', { name: 'People in this voice channel' }).waitFor();
    await screenshot(page('ann'), 'voice-channel');
    const bensPanel = page('ben').getByRole('region', { name: 'Voice connection' });
    await bensPanel.getByRole('button', { name: 'Unmute' }).click();
    await sidebarVoice(page('dan'))
      .getByRole('listitem')
      .filter({ hasText: 'ben' })
      .getByLabel('muted')
      .waitFor({ state: 'detached' });
  });

  it('lets a fourth join and leave, and the others follow', async () => {
    await join(page('dan'));
    await untilReceiving(page('dan'), 3, { timeout: 30_000 });
    await expect.poll(async () => (await openConnections(page('ann'))).length, { timeout: 10_000 }).toBe(3);
    await page('dan')
      .getByRole('region', { name: 'Voice connection' })
      .getByRole('button', { name: 'Leave voice' })
      .click();
    await expect.poll(async () => (await openConnections(page('dan'))).length).toBe(0);
    await expect.poll(async () => (await openConnections(page('ann'))).length).toBe(2);
    await sidebarVoice(page('dan')).getByRole('list', { name: 'In voice: 3' }).waitFor();
  });

  it('keeps talking through a gateway drop that resumes', async () => {
    const b = page('ben');
    const made = (await audioStats(page('ann'))).length;
    const before = await cutGateway(b, 4000);
    await expect.poll(() => gatewaySockets(b)).toEqual({ count: before + 1, open: true });
    await b.getByRole('region', { name: 'Voice connection' }).getByText('Voice connected').waitFor();
    await untilReceiving(page('ann'), 2, { timeout: 30_000 });
    await untilReceiving(b, 2, { timeout: 30_000 });
    await sidebarVoice(page('dan')).getByRole('list', { name: 'In voice: 3' }).waitFor();
    // The session resumed: the connection between Ann and Ben is the same one, never remade.
    expect((await audioStats(page('ann'))).length).toBe(made);
  });

  it('joins again by itself after its session was lost, and the audio comes back', async () => {
    const b = page('ben');
    const made = (await audioStats(page('ann'))).length;
    const before = await cutGateway(b, 1000);
    await expect.poll(() => gatewaySockets(b)).toEqual({ count: before + 1, open: true });
    // A new session: Ben left and came back, so Ann made a new connection to him.
    await expect.poll(async () => (await audioStats(page('ann'))).length, { timeout: 20_000 }).toBe(made + 1);
    await untilReceiving(b, 2, { timeout: 30_000 });
    await untilReceiving(page('ann'), 2, { timeout: 30_000 });
    await sidebarVoice(page('dan')).getByRole('list', { name: 'In voice: 3' }).getByText('ben').waitFor();
  });

  it('drops a kicked member from voice at once: their connections close', async () => {
    const a = page('ann');
    await a.getByRole('button', { name: 'Server settings' }).click();
    await a.getByRole('button', { name: 'Kick cat' }).click();
    await a.getByRole('button', { name: 'Kick', exact: true }).click();
    await expect.poll(async () => (await openConnections(page('cat'))).length, { timeout: 3_000 }).toBe(0);
    await expect.poll(async () => (await openConnections(page('ben'))).length, { timeout: 3_000 }).toBe(1);
    await sidebarVoice(page('dan')).getByRole('list', { name: 'In voice: 2' }).waitFor();
    await a.getByRole('dialog', { name: 'Server settings' }).getByRole('button', { name: 'Close' }).click();
  });

  it('takes a call out of the voice channel, and asks before hanging up to go back', async () => {
    const a = page('ann');
    const b = page('ben');
    await b.goto('/channels/@me');
    await b.getByRole('button', { name: 'Call ann' }).click();
    await a
      .getByRole('alertdialog', { name: 'Incoming call from ben' })
      .getByRole('button', { name: 'Accept call' })
      .click();
    await a.getByRole('region', { name: 'Call' }).getByText('ben', { exact: true }).waitFor();
    // Calling and answering left the voice channel: one voice thing at a time.
    await a.getByRole('region', { name: 'Voice connection' }).waitFor({ state: 'detached' });
    await sidebarVoice(page('dan'))
      .getByRole('list', { name: /^In voice/ })
      .waitFor({ state: 'detached' });
    await sidebarVoice(a).getByRole('link', { name: 'General' }).click();
    const ask = a.getByRole('dialog', { name: 'Leave the call?' });
    await ask.getByText('You are in a call with ben. Hang up and join General?').waitFor();
    await ask.getByRole('button', { name: 'Hang up and join' }).click();
    await a.getByRole('region', { name: 'Voice connection' }).getByText('Voice connected').waitFor();
    await b.getByRole('region', { name: 'Call' }).waitFor({ state: 'detached' });
    await sidebarVoice(page('dan')).getByRole('list', { name: 'In voice: 1' }).getByText('ann').waitFor();
  });
});
