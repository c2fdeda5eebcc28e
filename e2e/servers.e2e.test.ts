import { GatewayClient } from '@decentra/client';
import type { Server } from '@decentra/protocol';
import { sql } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  PASSWORD,
  people,
  serverWith,
  textChannelOf,
  type Person as User,
  voiceChannelOf,
} from '../apps/server/test/people.js';
import { startTestServer, type TestServer } from '../apps/server/test/test-server.js';
import { loggedIn } from './support/accounts.js';
import { launchBrowser, type Person, person, readCode, say, screenshot } from './support/browser.js';
import { steps, story, watchPages } from './support/story.js';

/** Owner settings, permissions, channel management, phones, and a server restart mid-chat. */
describe('server management, small screens and restarts', () => {
  let server: TestServer;
  let browser: Browser;
  let annUser: User;
  let benUser: User;
  let club: Server;
  let ann: Person;
  let ben: Person;
  let phone: Person | undefined;
  let a: Page;
  let b: Page;
  let channelUrl: string;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
    [annUser, benUser] = await people(server.url, ['ann', 'ben']);
    club = await serverWith(annUser, 'Chess Club', [benUser]);
    channelUrl = `/channels/${club.id}/${textChannelOf(club)}`;
    ann = await loggedIn(browser, server.url, annUser.token);
    ben = await loggedIn(browser, server.url, benUser.token);
    a = ann.page;
    b = ben.page;
    await a.goto(channelUrl);
    await b.goto(channelUrl);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  watchPages(() => ({ ann, ben, phone }));

  describe('permissions and channels, live everywhere', () => {
    steps();

    it('shows a member without permissions no channel or settings controls', async () => {
      await b.getByRole('textbox', { name: 'Message #general' }).waitFor();
      expect(await b.getByRole('button', { name: 'Create channel' }).count()).toBe(0);
      expect(await b.getByRole('button', { name: 'Server settings' }).count()).toBe(0);
    });

    it("grants a member a permission in the owner's settings, taking effect live", async () => {
      await a.getByRole('button', { name: 'Server settings' }).click();
      const settings = a.getByRole('dialog', { name: 'Server settings' });
      await settings.getByRole('checkbox', { name: 'Create channels (ben)' }).check();
      await b.getByRole('button', { name: 'Create channel' }).waitFor();
      await screenshot(a, 'server-settings');
    });

    it('renames the server, live for the members', async () => {
      const settings = a.getByRole('dialog', { name: 'Server settings' });
      await settings.getByLabel('Server name').fill('Chess & Go Club');
      await settings.getByRole('button', { name: 'Save' }).click();
      await b.getByRole('link', { name: 'Chess & Go Club' }).waitFor();
      await settings.getByRole('button', { name: 'Close' }).click();
    });

    it('lets the member with the permission create a text channel, which the owner sees at once', async () => {
      await b.getByRole('button', { name: 'Create channel' }).click();
      await b.getByLabel('Channel name').fill('random');
      await b.getByRole('button', { name: 'Create channel', exact: true }).last().click();
      await b.getByRole('textbox', { name: 'Message #random' }).waitFor();
      await a.getByRole('link', { name: 'random' }).waitFor();
    });

    it('renames a channel, live for the members', async () => {
      await a.getByRole('button', { name: 'Rename channel random' }).click();
      await a.getByLabel('Channel name').fill('off-topic');
      await a.getByRole('button', { name: 'Save' }).click();
      await b.getByRole('link', { name: 'off-topic' }).waitFor();
    });

    it('deletes a channel after confirming; a member who was in it lands back in #general', async () => {
      await a.getByRole('button', { name: 'Delete channel off-topic' }).click();
      await a
        .getByRole('dialog', { name: 'Delete channel' })
        .getByRole('button', { name: 'Delete channel' })
        .click();
      await b.getByRole('link', { name: 'off-topic' }).waitFor({ state: 'detached' });
      await b.getByRole('textbox', { name: 'Message #general' }).waitFor();
    });
  });

  describe('at phone width', () => {
    steps();
    let p: Page;

    beforeAll(async () => {
      phone = await loggedIn(browser, server.url, annUser.token, { width: 360, height: 740 });
      p = phone.page;
      await p.goto(channelUrl);
    });

    afterAll(async () => {
      await phone?.context.close();
    });

    it('chats in a page no wider than the screen', async () => {
      await say(p, 'Message #general', 'typed on a phone');
      await p.getByRole('log').getByText('typed on a phone').waitFor();
      expect(await p.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
      await screenshot(p, 'phone');
    });

    it('opens the server and channel columns as a drawer, closed by Escape', async () => {
      await p.getByRole('button', { name: 'Open navigation' }).click();
      await p.getByRole('link', { name: 'general', exact: true }).waitFor();
      await p.getByRole('button', { name: 'Close navigation' }).waitFor();
      // The drawer slides in from the left edge: the picture is taken once it is all there.
      const drawer = p.locator('#navigation');
      await expect.poll(() => drawer.evaluate((el) => el.getBoundingClientRect().left)).toBe(0);
      await screenshot(p, 'phone-navigation');
      await p.keyboard.press('Escape');
      await p.getByRole('button', { name: 'Close navigation' }).waitFor({ state: 'detached' });
    });

    it('closes the drawer when a place is chosen in it', async () => {
      await p.getByRole('button', { name: 'Open navigation' }).click();
      await p.getByRole('link', { name: 'Direct Messages / Friends' }).click();
      await p.waitForURL('**/channels/@me');
      await p.getByRole('button', { name: 'Close navigation' }).waitFor({ state: 'detached' });
    });
  });

  describe('when the server restarts mid-chat', () => {
    steps();

    it('chats before the restart', async () => {
      await a.goto(channelUrl);
      await b.goto(channelUrl);
      await say(a, 'Message #general', 'before the restart');
      await b.getByRole('log').getByText('before the restart').waitFor();
    });

    it('says it is reconnecting while the server is down, and shows a message sent then as pending', async () => {
      const port = Number(new URL(server.url).port);
      const db = server.db;
      await server.close({ keepData: true });
      try {
        await a.getByRole('status').filter({ hasText: 'Reconnecting' }).waitFor();
        await say(a, 'Message #general', 'sent while offline');
        await a.locator('.message.pending', { hasText: 'sent while offline' }).waitFor();
      } finally {
        // Back up even when this step fails, so that the rest of the file still has a server.
        server = await startTestServer({ db, config: { port } });
      }
    });

    it('delivers the pending message once the server is back, and the chat goes on both ways', async () => {
      // The client's reconnect backoff and a cold start of the embedded database on this
      // (shared, busy) machine: this really can take a while.
      await a.locator('.message.pending').waitFor({ state: 'detached', timeout: 60_000 });
      await b.getByRole('log').getByText('sent while offline').waitFor({ timeout: 60_000 });
      await say(b, 'Message #general', 'welcome back');
      await a.getByRole('log').getByText('welcome back').waitFor();
    });

    it('has lost nothing and duplicated nothing, on screen and in the history', async () => {
      for (const page of [a, b]) {
        expect(await page.getByRole('log').getByText('sent while offline', { exact: true }).count()).toBe(1);
        expect(await page.getByRole('log').getByText('before the restart', { exact: true }).count()).toBe(1);
      }
      const history = await annUser.rest.listMessages({ channelId: textChannelOf(club) });
      expect(history.filter((m) => m.content === 'sent while offline')).toHaveLength(1);
    });
  });

  describe('a channel with 10,000 messages', () => {
    steps();
    let archiveUrl: string;

    beforeAll(async () => {
      const archive = await annUser.rest.createChannel({ serverId: club.id, name: 'archive', type: 'text' });
      const newest = await annUser.rest.sendMessage({ channelId: archive.id, content: 'the newest message' });
      // 10,000 older messages straight into the table (the send rate limit would take an hour).
      const db = server.app.storage.db as unknown as { execute(q: ReturnType<typeof sql>): Promise<unknown> };
      await db.execute(sql`
        insert into messages (id, channel_id, author_id, content, created_at)
        select ${newest.id}::bigint - 10001 + g, ${archive.id}::bigint, ${newest.author.id}::bigint,
               'history message ' || g, now() - ((10001 - g) || ' seconds')::interval
        from generate_series(1, 10000) g`);
      archiveUrl = `/channels/${club.id}/${archive.id}`;
    });

    it('opens at the newest messages with only the rows on screen in the page', async () => {
      await a.goto(archiveUrl);
      const log = a.getByRole('log');
      await log.getByText('the newest message').waitFor();
      await log.getByText('history message 10000', { exact: true }).waitFor();
      expect(await a.locator('.message-slot').count()).toBeLessThan(80);
    });

    it('prepends the older page when scrolled to the top, keeping the view where it was', async () => {
      const scroller = a.locator('.message-scroller');
      const older = a.getByRole('log').getByText('history message 9951', { exact: true });
      // Scrolled to the top again while the older page has not come (as a reader would: under CI
      // load a scroll made while the first page's rows were still being measured was undone).
      await expect
        .poll(
          async () => {
            if (await older.count()) return true;
            await scroller.evaluate((el) => {
              el.scrollTop = 0;
            });
            return false;
          },
          { timeout: 60_000, interval: 500 },
        )
        .toBe(true);
      await expect.poll(() => scroller.evaluate((el) => el.scrollTop)).toBeGreaterThan(1000);
    });

    it('keeps loading older pages on the way up while the page stays small', async () => {
      const log = a.getByRole('log');
      const scroller = a.locator('.message-scroller');
      // A reader holding the view at the top: as long as it takes the (shared, busy) machine.
      await expect
        .poll(
          async () => {
            if (await log.getByText('history message 9701', { exact: true }).count()) return true;
            await scroller.evaluate((el) => {
              el.scrollTop = 0;
            });
            return false;
          },
          { timeout: 60_000, interval: 200 },
        )
        .toBe(true);
      expect(await a.locator('.message-slot').count()).toBeLessThan(80);
    });

    it('searches the server, highlights the word, and jumps to an old message with its history around it', async () => {
      await a.getByRole('searchbox').fill('4242 in:archive');
      await a.getByRole('searchbox').press('Enter');
      const results = a.getByRole('region', { name: 'Search results' });
      await results.getByText('1 result').waitFor();
      const hit = results.getByRole('button', { name: /history message 4242/ });
      expect(await hit.locator('mark').textContent()).toBe('4242');
      await screenshot(a, 'search');
      await hit.click();
      const log = a.getByRole('log');
      await log.getByText('history message 4242', { exact: true }).waitFor();
      // The page around it: older and newer neighbours, and not the present.
      await log.getByText('history message 4241', { exact: true }).waitFor();
      await log.getByText('history message 4243', { exact: true }).waitFor();
      await a.locator('.message-slot.jump-target', { hasText: 'history message 4242' }).waitFor();
      expect(await log.getByText('the newest message').count()).toBe(0);
      expect(await a.locator('.message-slot').count()).toBeLessThan(80);
    });

    it('loads newer messages when scrolled down, and jumps back to the present', async () => {
      const log = a.getByRole('log');
      const scroller = a.locator('.message-scroller');
      await expect
        .poll(
          async () => {
            if (await log.getByText('history message 4290', { exact: true }).count()) return true;
            await scroller.evaluate((el) => {
              el.scrollTop = el.scrollHeight;
            });
            return false;
          },
          { timeout: 30_000, interval: 200 },
        )
        .toBe(true);
      await a.getByRole('button', { name: 'Jump to present' }).click();
      await log.getByText('the newest message').waitFor();
      await a.getByRole('button', { name: 'Jump to present' }).waitFor({ state: 'detached' });
    });
  });

  it('lists who is in a voice channel, live, with their mute', async () => {
    const voiceList = a.getByRole('list', { name: 'Voice channels' });
    await voiceList.waitFor();
    const inVoice = voiceList.getByRole('list', { name: 'In voice: 1' });
    expect(await inVoice.count()).toBe(0);
    // Ben joins voice from another client, the SDK's, without any media.
    const gateway = new GatewayClient({ url: server.wsUrl, token: benUser.token, WebSocket, validate: true });
    const invalidFrames: string[] = [];
    gateway.on('invalidFrame', ({ error }) => invalidFrames.push(error));
    try {
      await gateway.connect();
      const joined = gateway.request('voice_join', { channelId: voiceChannelOf(club) });
      await inVoice.getByText('ben').waitFor();
      await joined; // the server accepted it (a refusal rejects)
      await gateway.request('voice_state', { muted: true, deafened: false });
      await inVoice.getByLabel('muted').waitFor();
      await gateway.request('voice_leave', {});
      await inVoice.waitFor({ state: 'detached' });
    } finally {
      gateway.close();
    }
    expect(invalidFrames).toEqual([]);
  });

  it('lets a member leave the server', async () => {
    await b.getByRole('button', { name: 'Leave server' }).click();
    await b
      .getByRole('dialog', { name: 'Leave server' })
      .getByRole('button', { name: 'Leave server' })
      .click();
    await b.waitForURL('**/channels/@me');
    expect(
      await b.getByRole('navigation', { name: 'Servers' }).getByRole('link', { name: /Chess/ }).count(),
    ).toBe(0);
  });
});

/** The people around a server: member column, profiles, invites, and links opened logged out. */
describe('members, profiles and invites', () => {
  let server: TestServer;
  let browser: Browser;
  let annUser: User;
  let benUser: User;
  let danUser: User;
  let fayUser: User;
  let club: Server;
  let ann: Person;
  let ben: Person;
  let visitor: Person | undefined;
  let a: Page;
  let b: Page;
  let channelUrl: string;
  let serverCode: string;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
    [annUser, benUser, danUser, fayUser] = await people(server.url, ['ann', 'ben', 'dan', 'fay']);
    club = await serverWith(annUser, 'Chess Club', [benUser]);
    channelUrl = `/channels/${club.id}/${textChannelOf(club)}`;
    ann = await loggedIn(browser, server.url, annUser.token);
    ben = await loggedIn(browser, server.url, benUser.token);
    a = ann.page;
    b = ben.page;
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  story(() => ({ ann, ben, visitor }));

  const members = (page: Page) => page.getByRole('complementary', { name: 'Members' });

  it('lists the members online and offline, by name, the owner crowned; live as people come', async () => {
    await a.goto(channelUrl);
    const column = members(a);
    await column.getByRole('heading', { name: 'Online — 1' }).waitFor();
    await column.getByRole('button', { name: 'Profile of ann, server owner' }).waitFor();
    expect(await column.getByTitle('Server owner').count()).toBe(1);
    await column.getByRole('heading', { name: 'Offline — 1' }).waitFor();
    await b.goto(channelUrl);
    await column.getByRole('heading', { name: 'Online — 2' }).waitFor();
    await column.getByRole('heading', { name: 'Offline — 0' }).waitFor();
    // Dan joins through the SDK: he shows up offline at once.
    const { code } = await annUser.rest.createServerInvite({ serverId: club.id });
    await danUser.rest.joinServer({ inviteCode: code });
    await column.getByRole('heading', { name: 'Offline — 1' }).waitFor();
    const online = column.getByRole('region', { name: 'Online — 2' }).getByRole('button');
    expect(await online.allTextContents()).toEqual(['ANann', 'BEben']);
    await screenshot(a, 'member-list');
  });

  it('hides the column with the header button, and it stays hidden after a reload', async () => {
    await b.getByRole('button', { name: 'Hide member list' }).click();
    await members(b).waitFor({ state: 'detached' });
    await b.reload();
    await b.getByRole('button', { name: 'Show member list' }).waitFor();
    expect(await members(b).count()).toBe(0);
  });

  it("names a typing member the reader's client never loaded", async () => {
    // Ben reloaded without the member column: nothing told his page who Dan is.
    await b.getByRole('textbox', { name: 'Message #general' }).waitFor();
    const gateway = new GatewayClient({ url: server.wsUrl, token: danUser.token, WebSocket, validate: true });
    try {
      await gateway.connect();
      await gateway.request('typing', { channelId: textChannelOf(club) });
      await b.getByText('dan is typing…').waitFor();
      // Dan online now: live in Ann's column too.
      await members(a).getByRole('heading', { name: 'Online — 3' }).waitFor();
    } finally {
      gateway.close();
    }
    await members(a).getByRole('heading', { name: 'Offline — 1' }).waitFor();
  });

  it("opens a member's profile: member since, joined the server, mutual servers and friends", async () => {
    await members(a).getByRole('button', { name: 'Profile of ben' }).click();
    const card = a.getByRole('dialog', { name: 'Profile of ben' });
    await card.getByText('Member since').waitFor();
    await card.getByText('Joined Chess Club').waitFor();
    await card.getByRole('region', { name: 'Mutual servers' }).getByText('Chess Club').waitFor();
    await card.getByRole('heading', { name: 'Mutual friends — 0' }).waitFor();
    expect(await card.getByRole('button', { name: 'Message' }).isDisabled()).toBe(true);
    expect(await card.getByRole('button', { name: 'Call' }).count()).toBe(0);
  });

  it('sends a friend request from the profile; once accepted it says Friends and offers Call and Message', async () => {
    const card = a.getByRole('dialog', { name: 'Profile of ben' });
    await card.getByRole('button', { name: 'Add friend' }).click();
    await card.getByRole('button', { name: 'Request sent' }).waitFor();
    const request = (await benUser.rest.listFriends()).incoming[0];
    if (!request) throw new Error('Ben should have a request from Ann');
    await benUser.rest.acceptFriendRequest({ requestId: request.id });
    await card.getByRole('status').filter({ hasText: 'Friends' }).waitFor();
    await card.getByRole('button', { name: 'Call' }).waitFor();
    await screenshot(a, 'profile-popover');
    await card.getByRole('button', { name: 'Message' }).click();
    await a.waitForURL('**/channels/@me/*');
    await card.waitFor({ state: 'detached' });
  });

  it('opens the profile from the message author and from the DM list', async () => {
    await a.getByRole('button', { name: 'Profile of ben' }).first().click();
    await a.getByRole('dialog', { name: 'Profile of ben' }).getByText('Member since').waitFor();
    await a.keyboard.press('Escape');
    await a.getByRole('dialog', { name: 'Profile of ben' }).waitFor({ state: 'detached' });
    await a.goto(channelUrl);
    await say(b, 'Message #general', 'hello from ben');
    const row = a.getByRole('article', { name: /^ben at / });
    await row.getByRole('button', { name: 'Profile of ben' }).click();
    await a.getByRole('dialog', { name: 'Profile of ben' }).getByText('Joined Chess Club').waitFor();
    await a.keyboard.press('Escape');
  });

  it('makes a server invite in Generate Invite, with uses and an expiry, and says what kind it is', async () => {
    await a.getByRole('button', { name: 'Generate Invite' }).click();
    const dialog = a.getByRole('dialog', { name: 'Invite people to Chess Club' });
    await dialog.getByLabel('Max uses').selectOption('10');
    await dialog.getByLabel('Expires after').selectOption({ label: '1 day' });
    await dialog.getByRole('button', { name: 'Create server invite' }).click();
    await dialog.getByText(/Server invite: joins this server .* Up to 10 uses, until /).waitFor();
    serverCode = await readCode(a, 'Server invite code');
    expect(await readCode(a, 'Invite link')).toBe(`${server.url}/invite/${serverCode}`);
    await screenshot(a, 'invite-dialog');
    await dialog.getByRole('button', { name: 'Close' }).click();
    // A member who may not invite gets a sign-up code, named as one.
    await b.getByRole('button', { name: 'Generate Invite' }).click();
    const theirs = b.getByRole('dialog', { name: 'Invite people to Chess Club' });
    await theirs.getByText('Only the owner of Chess Club can make invites to it.').waitFor();
    await readCode(b, 'Sign-up invite code');
    await theirs.getByRole('button', { name: 'Close' }).click();
  });

  it('opens an invite link logged out on sign-up with the code, and lands in the server', async () => {
    visitor = await person(browser, server.url);
    const v = visitor.page;
    await v.goto(`/invite/${serverCode}`);
    expect(await v.getByLabel('Invite code').inputValue()).toBe(serverCode);
    await v.getByLabel('Username').fill('eve');
    await v.getByLabel('Password').fill('correct horse battery');
    await v.getByRole('button', { name: 'Sign up', exact: true }).click();
    await v.waitForURL(`**/channels/${club.id}/${textChannelOf(club)}`);
    await v.getByRole('textbox', { name: 'Message #general' }).waitFor();
    await members(a).getByRole('button', { name: 'Profile of eve' }).waitFor();
    await visitor.context.close();
    visitor = undefined;
  });

  it('comes back to a deep link after logging in, and never follows one off the app', async () => {
    visitor = await person(browser, server.url);
    const v = visitor.page;
    await v.goto(channelUrl);
    await v.waitForURL(/\/login\?next=/);
    await v.getByLabel('Username').fill(fayUser.username);
    await v.getByLabel('Password').fill(PASSWORD);
    // Fay is not in Chess Club: the link still comes back, and the app sends her home from it.
    await v.getByRole('button', { name: 'Log in', exact: true }).click();
    await v.waitForURL('**/channels/@me');
    await v.context().clearCookies();
    await v.goto(`/settings/sessions`);
    await v.waitForURL(/\/login\?next=%2Fsettings%2Fsessions$/);
    await v.getByLabel('Username').fill(fayUser.username);
    await v.getByLabel('Password').fill(PASSWORD);
    await v.getByRole('button', { name: 'Log in', exact: true }).click();
    await v.waitForURL('**/settings/sessions');
    await v.context().clearCookies();
    await v.goto('/login?next=//evil.example/channels/1');
    await v.getByLabel('Username').fill(fayUser.username);
    await v.getByLabel('Password').fill(PASSWORD);
    await v.getByRole('button', { name: 'Log in', exact: true }).click();
    await v.waitForURL(`${server.url}/channels/@me`);
  });
});
