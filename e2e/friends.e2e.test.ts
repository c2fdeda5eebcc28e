import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Person as Account, people } from '../apps/server/test/people.js';
import { startTestServer, type TestServer } from '../apps/server/test/test-server.js';
import { loggedIn } from './support/accounts.js';
import { launchBrowser, type Person, say, screenshot } from './support/browser.js';
import { story } from './support/story.js';

/** Friends (search, request, accept, presence) and direct messages, live in two browsers. */
describe('friends and direct messages', () => {
  let server: TestServer;
  let browser: Browser;
  let ann: Person;
  let ben: Person;
  let a: Page;
  let b: Page;
  let benedict: Account;
  let annAccount: Account;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
    const [annUser, benUser, benedictUser] = await people(server.url, ['ann', 'ben', 'benedict']);
    benedict = benedictUser;
    annAccount = annUser;
    ann = await loggedIn(browser, server.url, annUser.token);
    ben = await loggedIn(browser, server.url, benUser.token);
    a = ann.page;
    b = ben.page;
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  story(() => ({ ann, ben }));

  it('says so when there are no friends yet', async () => {
    await a.goto('/channels/@me');
    await b.goto('/channels/@me');
    await a.getByText('No friends yet.').waitFor();
  });

  it('finds people as you type and sends one a friend request', async () => {
    await a.getByRole('tab', { name: 'Add friend' }).click();
    await a.getByLabel('Search by username').pressSequentially('ben');
    const results = a.getByRole('list', { name: 'Search results' });
    await results.getByText('benedict').waitFor();
    await results.getByRole('button', { name: 'Send friend request to ben', exact: true }).click();
    await a.getByText('Friend request sent to ben.').waitFor();
  });

  it('shows the request as outgoing to the sender and, live, as incoming to the receiver', async () => {
    await a.getByRole('tab', { name: 'Pending' }).click();
    await a.getByRole('button', { name: 'Cancel request to ben' }).waitFor();
    await b.getByRole('tab', { name: 'Pending (1)' }).click();
    await screenshot(b, 'friends-pending');
  });

  it('makes both friends when the request is accepted, live for the sender', async () => {
    await b.getByRole('button', { name: 'Accept ann' }).click();
    await a.getByRole('tab', { name: 'All friends' }).click();
    await a
      .getByRole('list', { name: 'All friends' })
      .getByRole('listitem')
      .filter({ hasText: 'ben' })
      .waitFor();
  });

  it("shows a new friend's presence at once", async () => {
    const friends = a.getByRole('list', { name: 'All friends' });
    await friends.getByRole('listitem').filter({ hasText: 'ben' }).getByText('Online').waitFor();
  });

  it("shows a friend's presence after a reload, from the new session's ready", async () => {
    await a.reload();
    const friends = a.getByRole('list', { name: 'All friends' });
    await friends.getByRole('listitem').filter({ hasText: 'ben' }).getByText('Online').waitFor();
    await screenshot(a, 'friends');
  });

  it('opens a DM from the friends list, which appears live in the other side’s DM list', async () => {
    await a.getByRole('button', { name: 'Message ben' }).click();
    await a.waitForURL(/\/channels\/@me\/\d+$/);
    await say(a, 'Message @ben', 'hey @ben, a DM for you');
    await b.getByRole('link', { name: /^ann \(/ }).click();
    await b.getByRole('log').getByText('a DM for you').waitFor();
  });

  it('highlights a mention of me in a DM', async () => {
    await b.locator('.message.mentions-me .mention-me', { hasText: '@ben' }).waitFor();
  });

  it('delivers a DM reply live', async () => {
    await say(b, 'Message @ann', 'got it');
    await a.getByRole('log').getByText('got it').waitFor();
    await screenshot(a, 'dm');
  });

  it('shows a declined request as declined: the search row offers a new request', async () => {
    await a.goto('/channels/@me');
    await a.getByRole('tab', { name: 'Add friend' }).click();
    await a.getByLabel('Search by username').pressSequentially('benedict');
    const results = a.getByRole('list', { name: 'Search results' });
    await results.getByRole('button', { name: 'Send friend request to benedict' }).click();
    await results.getByText('Request sent').waitFor();
    const [request] = (await benedict.rest.listFriends()).incoming;
    if (!request) throw new Error('benedict got no request');
    await benedict.rest.deleteFriendRequest({ requestId: request.id });
    await results.getByRole('button', { name: 'Send friend request to benedict' }).waitFor();
    expect(await results.getByText('Request sent').count()).toBe(0);
  });

  it('takes a person offline for their friends at once when they log out', async () => {
    await b.getByRole('button', { name: 'Log out' }).click();
    await b.waitForURL('**/login');
    await a.getByRole('link', { name: 'ben (offline)' }).waitFor();
  });

  it('closes the DM composer and the presence dot live when the friendship ends', async () => {
    await a.getByRole('link', { name: 'ben (offline)' }).click();
    await a.waitForURL(/\/channels\/@me\/\d+$/);
    await a.getByRole('textbox', { name: 'Message @ben' }).waitFor();
    const benId = (await annAccount.rest.listFriends()).friends.find((f) => f.username === 'ben')?.id;
    if (!benId) throw new Error('ben is not a friend of ann');
    await annAccount.rest.removeFriend({ userId: benId });
    await a.getByText('You and ben are no longer friends').waitFor();
    expect(await a.getByRole('textbox', { name: 'Message @ben' }).count()).toBe(0);
    await a.getByRole('link', { name: 'ben', exact: true }).waitFor();
    expect(await a.locator('.channel-link .presence-dot').count()).toBe(0);
  });
});
