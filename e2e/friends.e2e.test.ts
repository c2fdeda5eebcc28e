import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../apps/server/test/test-server.js';
import { account, loggedIn } from './support/accounts.js';
import { launchBrowser, type Person, say, screenshot } from './support/browser.js';

/** Friends (search, request, accept, presence) and direct messages, live in two browsers. */
describe('friends and direct messages', () => {
  let server: TestServer;
  let browser: Browser;
  let ann: Person;
  let ben: Person;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
    const annToken = await account(server.url, 'ann');
    const benToken = await account(server.url, 'ben', annToken);
    await account(server.url, 'benedict', annToken);
    ann = await loggedIn(browser, server.url, annToken);
    ben = await loggedIn(browser, server.url, benToken);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('finds people as you type, sends and accepts a request, and opens a DM', async () => {
    const a = ann.page;
    const b = ben.page;
    await a.goto('/channels/@me');
    await b.goto('/channels/@me');
    await a.getByText('No friends yet.').waitFor();

    // Add friend: search as you type.
    await a.getByRole('tab', { name: 'Add friend' }).click();
    await a.getByLabel('Search by username').pressSequentially('ben');
    const results = a.getByRole('list', { name: 'Search results' });
    await results.getByText('benedict').waitFor();
    await results.getByRole('button', { name: 'Send friend request to ben', exact: true }).click();
    await a.getByText('Friend request sent to ben.').waitFor();

    // Outgoing shows on Ann's side, incoming on Ben's, live.
    await a.getByRole('tab', { name: 'Pending' }).click();
    await a.getByRole('button', { name: 'Cancel request to ben' }).waitFor();
    await b.getByRole('tab', { name: 'Pending (1)' }).click();
    await screenshot(b, 'friends-pending');
    await b.getByRole('button', { name: 'Accept ann' }).click();

    // Both are friends, live. (The server tells presence on connect and on change, not when a
    // friendship begins: after a reload Ann's `ready` carries Ben's presence.)
    await a.getByRole('tab', { name: 'All friends' }).click();
    const friends = a.getByRole('list', { name: 'All friends' });
    await friends.getByRole('listitem').filter({ hasText: 'ben' }).waitFor();
    await a.reload();
    await friends.getByRole('listitem').filter({ hasText: 'ben' }).getByText('Online').waitFor();
    await screenshot(a, 'friends');

    // DM: open from the friends list; the other side's list updates live.
    await a.getByRole('button', { name: 'Message ben' }).click();
    await a.waitForURL(/\/channels\/@me\/\d+$/);
    await say(a, 'Message @ben', 'hey @ben, a DM for you');
    await b.getByRole('link', { name: /^ann \(/ }).click();
    await b.getByRole('log').getByText('a DM for you').waitFor();
    await b.locator('.message.mentions-me .mention-me', { hasText: '@ben' }).waitFor();
    await say(b, 'Message @ann', 'got it');
    await a.getByRole('log').getByText('got it').waitFor();
    await screenshot(a, 'dm');

    // Logging out takes Ben offline for Ann at once.
    await b.getByRole('button', { name: 'Log out' }).click();
    await b.waitForURL('**/login');
    await a.getByRole('link', { name: 'ben (offline)' }).waitFor();

    expect(ann.problems).toEqual([]);
    expect(ben.problems).toEqual([]);
  });
});
