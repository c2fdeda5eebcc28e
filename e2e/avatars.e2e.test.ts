import type { Server } from '@decentra/protocol';
import type { Browser, Locator, Page } from 'playwright-core';
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
import { launchBrowser, type Person, screenshot } from './support/browser.js';
import { twoColourPng } from './support/png.js';
import { story } from './support/story.js';

/** An <img> that is there, comes from the avatar route and was decoded (so it was served). */
async function shownPicture(img: Locator): Promise<void> {
  await img.waitFor();
  expect(await img.getAttribute('src')).toMatch(/^\/api\/avatars\/[0-9a-f]{64}$/);
  await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth)).toBe(256);
}

/** Avatars and server icons: cropped and uploaded in one browser, shown live in another. */
describe('avatars and server icons', () => {
  let server: TestServer;
  let browser: Browser;
  let annUser: User;
  let club: Server;
  let ann: Person;
  let ben: Person;
  let a: Page;
  let b: Page;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
    const [annAccount, benAccount] = await people(server.url, ['ann', 'ben']);
    annUser = annAccount;
    club = await serverWith(annUser, 'Chess Club', [benAccount]);
    await befriend(annUser, benAccount);
    await benAccount.rest.openDm({ userId: annUser.id });
    await annUser.rest.sendMessage({
      channelId: textChannelOf(club),
      content: 'hello from ann',
      nonce: 'e2e-1',
    });
    ann = await loggedIn(browser, server.url, annUser.token);
    ben = await loggedIn(browser, server.url, benAccount.token);
    a = ann.page;
    b = ben.page;
    await b.goto(`/channels/${club.id}/${textChannelOf(club)}`);
    await b.getByText('hello from ann').waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  story(() => ({ ann, ben }));

  it('crops a picture in a dialog and uploads it as the avatar', async () => {
    await a.goto('/settings/account');
    const section = a.getByRole('region', { name: 'Avatar' });
    await section.getByLabel('Change avatar').setInputFiles({
      name: 'me.png',
      mimeType: 'image/png',
      buffer: twoColourPng(480, 320, [230, 80, 40], [40, 120, 220]),
    });
    const dialog = a.getByRole('dialog', { name: 'Crop your avatar' });
    await dialog.getByLabel('Zoom').fill('1.5');
    const canvas = dialog.getByLabel('Cropped picture: drag to move it');
    const box = await canvas.boundingBox();
    if (!box) throw new Error('no crop canvas');
    await a.mouse.move(box.x + 128, box.y + 128);
    await a.mouse.down();
    await a.mouse.move(box.x + 168, box.y + 128, { steps: 4 });
    await a.mouse.up();
    await screenshot(a, 'avatar-crop');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    await shownPicture(section.locator('.picture-preview img'));
    await section.getByRole('button', { name: 'Remove avatar' }).waitFor();
  });

  it('shows it at once to someone else, in the messages and the member list', async () => {
    const message = b.locator('.message', { hasText: 'hello from ann' });
    await shownPicture(message.locator('.avatar img'));
    const members = b.getByRole('complementary', { name: 'Members' });
    await shownPicture(members.locator('li', { hasText: 'ann' }).locator('.avatar img'));
    await screenshot(b, 'messages-avatars');
  });

  it('shows it in the DM list and among friends, without a reload', async () => {
    await b.getByRole('link', { name: 'Direct Messages / Friends' }).click();
    const dms = b.getByRole('list', { name: 'Direct messages' });
    await shownPicture(dms.locator('li', { hasText: 'ann' }).locator('.avatar img'));
    await b.getByRole('tab', { name: 'All friends' }).click();
    const friends = b.getByRole('list', { name: 'All friends' });
    await shownPicture(friends.locator('li', { hasText: 'ann' }).locator('.avatar img'));
  });

  it('sets a server icon that shows in the rail of every member', async () => {
    await a.goto(`/channels/${club.id}/${textChannelOf(club)}`);
    await a.getByRole('button', { name: 'Server settings' }).click();
    const settings = a.getByRole('dialog', { name: 'Server settings' });
    await settings.getByLabel('Change server icon').setInputFiles({
      name: 'icon.png',
      mimeType: 'image/png',
      buffer: twoColourPng(300, 300, [250, 200, 40], [40, 160, 90]),
    });
    const crop = a.getByRole('dialog', { name: 'Crop your server icon' });
    await crop.getByRole('button', { name: 'Save' }).click();
    await crop.waitFor({ state: 'detached' });
    const rail = b.getByRole('navigation', { name: 'Servers' });
    await shownPicture(rail.getByRole('link', { name: /^Chess Club/ }).locator('img'));
  });

  it('removes the avatar: the initials are back for the other user', async () => {
    await a.goto('/settings/account');
    await a.getByRole('region', { name: 'Avatar' }).getByRole('button', { name: 'Remove avatar' }).click();
    const friends = b.getByRole('list', { name: 'All friends' });
    await friends.locator('li', { hasText: 'ann' }).locator('.avatar', { hasText: 'AN' }).waitFor();
    expect(await friends.locator('li', { hasText: 'ann' }).locator('.avatar img').count()).toBe(0);
  });
});
