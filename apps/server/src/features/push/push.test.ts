import { randomUUID } from 'node:crypto';
import { rootCertificates } from 'node:tls';
import { DEFAULT_USER_SETTINGS, MAX_PUSH_SUBSCRIPTIONS, type Server } from '@decentra/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../../../test/http.js';
import {
  befriend,
  type Person,
  people,
  refused,
  restClient,
  serverWith,
  textChannelOf,
} from '../../../test/people.js';
import { TestPushService, verifyVapid } from '../../../test/push-endpoint.js';
import { createTestDatabase, ENGINE } from '../../../test/test-db.js';
import { startTestServer, type TestServer } from '../../../test/test-server.js';
import { TestSocket } from '../../../test/ws-client.js';
import { outboundAgent } from '../../infra/safe-lookup.js';
import { openStorage } from '../../storage/db.js';
import { migrate } from '../../storage/migrate.js';
import { readSetting, subscriptionsOfUser, upsertSubscription } from './push.repo.js';
import { PushSender } from './push-sender.js';
import { VapidKeyStore } from './vapid-keys.js';

let push: TestPushService;
let server: TestServer;
let ann: Person;
let ben: Person;
let cat: Person;
let dan: Person;
let club: Server;
let dmAnnBen: string;

/** The id of the server's user `p`. */
const idOf = (p: Person) => BigInt(p.id);
const endpointsOf = async (s: TestServer, p: Person) =>
  (await subscriptionsOfUser(s.app.storage.db, idOf(p))).map((r) => r.endpoint);

/** Waits (a bounded poll of the table, not a sleep to prove absence) until `p` lacks `endpoint`. */
async function untilRemoved(s: TestServer, p: Person, endpoint: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while ((await endpointsOf(s, p)).includes(endpoint)) {
    if (Date.now() > deadline) throw new Error(`${endpoint} was not removed`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

beforeAll(async () => {
  push = await TestPushService.start();
  // Private fetch allowed (the push service is on loopback), its CA trusted; one push in flight
  // at a time, so that every push leaves after the one before it has been answered: a push that
  // should not exist would arrive before the next one that should (absence without sleeping).
  server = await startTestServer({
    config: { allowPrivateFetch: true },
    push: { extraCa: push.caPem, limits: { concurrency: 1 } },
    // The file sends more than 10 messages within 5 s; the send limit is not what it tests.
    sendLimits: { points: 1000, windowSeconds: 5 },
  });
  [ann, ben, cat, dan] = await people(server.url, ['ann', 'ben', 'cat', 'dan']);
  await befriend(ann, ben);
  await befriend(ann, dan);
  dmAnnBen = (await ann.rest.openDm({ userId: ben.id })).id;
  club = await serverWith(ann, 'Club', [ben, cat]);
});
afterAll(async () => {
  await server.close();
  await push.close();
});

describe('the VAPID key', () => {
  it('is made once, kept in instance settings with the private key sealed, and answered to anyone logged in', async () => {
    const { publicKey } = await ann.rest.getPushKey();
    expect(Buffer.from(publicKey, 'base64url')).toHaveLength(65);
    expect((await ben.rest.getPushKey()).publicKey).toBe(publicKey);
    const stored = (await readSetting(server.app.storage.db, 'vapid')) as Record<string, string>;
    expect(stored.publicKey).toBe(publicKey);
    expect(stored.privateKeySealed).toMatch(/^v1\./);
    expect(Object.keys(stored).sort()).toEqual(['privateKeySealed', 'publicKey']);
    expect((await api(server.url).get('/api/push/key')).status).toBe(401);
  });

  it('is the same for instances making it at once on one database (insert if absent, then read back)', async () => {
    const fresh = await createTestDatabase();
    const storage = await openStorage(
      fresh.database.kind === 'postgres' ? fresh.database : { kind: 'pglite', dataDir: fresh.dataDir },
    );
    try {
      await migrate(storage.db);
      const key = Buffer.alloc(32, 9);
      const stores = Array.from({ length: 4 }, () => new VapidKeyStore(storage.db, key, () => new Date()));
      const keys = await Promise.all(stores.map((s) => s.keys()));
      expect(new Set(keys.map((k) => k.publicKey)).size).toBe(1);
      expect(new Set(keys.map((k) => k.privateKey)).size).toBe(1);
      // Another encryption key cannot unseal it, and says so.
      await expect(
        new VapidKeyStore(storage.db, Buffer.alloc(32, 1), () => new Date()).keys(),
      ).rejects.toThrow(/DECENTRA_ENCRYPTION_KEY/);
    } finally {
      await storage.close();
      await fresh.drop();
    }
  });
});

describe('push subscriptions', () => {
  it('are registered (201), the same endpoint again replaces the keys, and only the owner sees them stored', async () => {
    const browser = push.browser();
    const made = await cat.rest.addPushSubscription(browser.subscription());
    expect(made).toEqual({
      id: expect.any(String),
      endpoint: browser.endpoint,
      createdAt: expect.any(String),
    });
    const again = push.browser();
    const renewed = await cat.rest.addPushSubscription({
      ...again.subscription(),
      endpoint: browser.endpoint,
    });
    expect(renewed.endpoint).toBe(browser.endpoint);
    const rows = await subscriptionsOfUser(server.app.storage.db, idOf(cat));
    expect(rows.filter((r) => r.endpoint === browser.endpoint)).toEqual([
      expect.objectContaining({
        p256dh: again.subscription().keys.p256dh,
        auth: again.subscription().keys.auth,
      }),
    ]);
    await cat.rest.removePushSubscription({ endpoint: browser.endpoint });
    expect(await endpointsOf(server, cat)).not.toContain(browser.endpoint);
  });

  it("take a browser's toJSON() as it is, expirationTime included", async () => {
    const browser = push.browser();
    const made = await cat.rest.addPushSubscription({ ...browser.subscription(), expirationTime: null });
    expect(made.endpoint).toBe(browser.endpoint);
    await cat.rest.removePushSubscription({ endpoint: browser.endpoint });
  });

  it('move to whoever registers the endpoint last; each deletes only their own (204 either way)', async () => {
    const browser = push.browser();
    await dan.rest.addPushSubscription(browser.subscription());
    await cat.rest.addPushSubscription(browser.subscription());
    expect(await endpointsOf(server, dan)).not.toContain(browser.endpoint);
    expect(await endpointsOf(server, cat)).toContain(browser.endpoint);
    // Dan's delete of what is now Cat's leaves it alone.
    await dan.rest.removePushSubscription({ endpoint: browser.endpoint });
    expect(await endpointsOf(server, cat)).toContain(browser.endpoint);
    const raw = api(server.url);
    const query = `?endpoint=${encodeURIComponent(browser.endpoint)}`;
    expect((await raw.delete(`/api/users/@me/push-subscriptions${query}`, { token: cat.token })).status).toBe(
      204,
    );
    expect(await endpointsOf(server, cat)).not.toContain(browser.endpoint);
    expect((await raw.delete(`/api/users/@me/push-subscriptions${query}`, { token: cat.token })).status).toBe(
      204,
    );
    expect((await raw.delete('/api/users/@me/push-subscriptions', { token: cat.token })).status).toBe(400);
    expect((await raw.delete(`/api/users/@me/push-subscriptions${query}`)).status).toBe(401);
  });

  it(`are at most ${MAX_PUSH_SUBSCRIPTIONS} per user: a new one past it removes the oldest`, async () => {
    const browsers = Array.from({ length: MAX_PUSH_SUBSCRIPTIONS + 2 }, () => push.browser());
    for (const b of browsers) await dan.rest.addPushSubscription(b.subscription());
    const kept = await endpointsOf(server, dan);
    expect(kept).toEqual(browsers.slice(2).map((b) => b.endpoint));
    // Registering an old one again makes it the newest: the oldest remaining goes instead.
    const first = browsers[2];
    if (!first) throw new Error('no browser');
    await dan.rest.addPushSubscription(first.subscription());
    const newest = push.browser();
    await dan.rest.addPushSubscription(newest.subscription());
    expect(await endpointsOf(server, dan)).toEqual([
      ...browsers.slice(4).map((b) => b.endpoint),
      first.endpoint,
      newest.endpoint,
    ]);
    for (const endpoint of await endpointsOf(server, dan))
      await dan.rest.removePushSubscription({ endpoint });
  });

  it('refuse keys a browser would not have made', async () => {
    const raw = api(server.url);
    const good = push.browser().subscription();
    for (const keys of [
      // 65 bytes, not a point on the curve.
      { ...good.keys, p256dh: Buffer.alloc(65, 4).toString('base64url') },
      // 64 bytes of a compressed-looking key.
      { ...good.keys, p256dh: Buffer.alloc(64, 2).toString('base64url').padEnd(86, 'A') },
      { ...good.keys, auth: 'AAAAAAAAAAAAAAAAAAAA' },
      { ...good.keys, extra: 'x' },
    ]) {
      const res = await raw.post(
        '/api/users/@me/push-subscriptions',
        { ...good, keys },
        { token: dan.token },
      );
      expect(res.status, JSON.stringify(keys)).toBe(400);
      expect(res.body).toMatchObject({ error: { code: 'invalid_input' } });
    }
    expect(await endpointsOf(server, dan)).toEqual([]);
  });
});

describe('endpoint safety (private fetch off)', () => {
  let strict: TestServer;
  let eve: Person;
  let fay: Person;
  beforeAll(async () => {
    // The test push service's CA is trusted: a refused push is the guard's doing, not TLS's.
    strict = await startTestServer({ push: { extraCa: push.caPem } });
    [eve, fay] = await people(strict.url, ['eve', 'fay']);
    await befriend(eve, fay);
  });
  afterAll(() => strict.close());

  it.each([
    ['https://127.0.0.1/push/x', /127\.0\.0\.1 is a loopback address/],
    ['https://[::1]/push/x', /::1 is a loopback address/],
    ['https://10.0.0.1/push/x', /10\.0\.0\.1 is a private address/],
    ['https://169.254.169.254/latest/meta-data', /169\.254\.169\.254 is a linkLocal address/],
    ['https://[::ffff:127.0.0.1]/push/x', /::ffff:7f00:1 is a loopback address/],
    ['https://100.64.0.1/push/x', /carrierGradeNat/],
    ['https://[fd00:ec2::254]/push/x', /uniqueLocal/],
    ['https://localhost/push/x', /localhost resolves to .* a loopback address/],
    ['https://0x7f000001/push/x', /127\.0\.0\.1 is a loopback address/],
  ])('refuses %s with invalid_input', async (endpoint, words) => {
    const subscription = { ...push.browser().subscription(), endpoint };
    const err = await refused(eve.rest.addPushSubscription(subscription));
    expect(err.status).toBe(400);
    expect(err.code).toBe('invalid_input');
    expect(err.message).toMatch(words);
    expect(err.message).toMatch(/public addresses/);
  });

  it('refuses http://, URLs with credentials, names that do not resolve, and keeps nothing', async () => {
    const raw = api(strict.url);
    const good = push.browser().subscription();
    for (const endpoint of [
      'http://push.example.org/x',
      'ftp://push.example.org/x',
      'https://user:pw@push.example.org/x',
      'https://no-such-host.invalid/x',
      `https://push.example.org/${'x'.repeat(2100)}`,
    ]) {
      const res = await raw.post(
        '/api/users/@me/push-subscriptions',
        { ...good, endpoint },
        { token: eve.token },
      );
      expect(res.status, endpoint).toBe(400);
      expect(res.body).toMatchObject({ error: { code: 'invalid_input' } });
    }
    expect(await endpointsOf(strict, eve)).toEqual([]);
  });

  it('are checked again when a push is sent: a name now resolving to loopback (rebinding) or a literal gets nothing, and is removed', async () => {
    // As if these had passed at subscribe time (a name resolving to a public address then).
    const port = new URL(push.origin).port;
    const byName = push.browser();
    const byLiteral = push.browser();
    const rows = [
      { browser: byName, endpoint: byName.endpoint.replace('127.0.0.1', 'localhost') },
      { browser: byLiteral, endpoint: byLiteral.endpoint },
    ];
    for (const [i, { browser, endpoint }] of rows.entries()) {
      const { keys } = browser.subscription();
      await strict.app.storage.db.transaction((tx) =>
        upsertSubscription(tx, {
          id: BigInt(900 + i),
          userId: idOf(fay),
          endpoint,
          p256dh: keys.p256dh,
          auth: keys.auth,
          createdAt: new Date(),
        }),
      );
    }
    expect(rows[0]?.endpoint).toContain(`https://localhost:${port}/`);
    const dm = (await eve.rest.openDm({ userId: fay.id })).id;
    await eve.rest.sendMessage({ channelId: dm, content: 'to a rebound name' });
    const refusals = () =>
      strict.logs.filter(
        (l) => l.includes('push endpoint is not public') && l.includes('ERR_PRIVATE_ADDRESS'),
      );
    await untilRemoved(strict, fay, rows[0]?.endpoint ?? '');
    await untilRemoved(strict, fay, rows[1]?.endpoint ?? '');
    const lines = refusals();
    expect(lines).toHaveLength(2);
    expect(lines.join('')).toMatch(/localhost resolves to .* a loopback address/);
    expect(lines.join('')).toMatch(/127\.0\.0\.1 is a loopback address/);
    expect(lines.join('')).not.toContain('to a rebound name');
    // Both were refused before a connection was made: the push service saw neither.
    expect(push.pushesTo(byName.endpoint)).toEqual([]);
    expect(push.pushesTo(byLiteral.endpoint)).toEqual([]);
  });
});

describe('pushes', () => {
  it('carry a DM to the offline recipient: VAPID-signed, aes128gcm, TTL and urgency, readable only with its keys', async () => {
    const browser = push.browser();
    await ben.rest.addPushSubscription(browser.subscription());
    const before = Date.now();
    const sent = await ann.rest.sendMessage({ channelId: dmAnnBen, content: 'hello ben, are you there?' });
    const received = await push.nthPushTo(browser.endpoint, 1);

    const { key, claims } = verifyVapid(received.headers.authorization as string | undefined);
    expect(key).toBe((await ben.rest.getPushKey()).publicKey);
    expect(claims.aud).toBe(push.origin);
    expect(claims.exp * 1000).toBeGreaterThan(before);
    expect(claims.exp * 1000).toBeLessThanOrEqual(before + 24 * 60 * 60 * 1000 + 60_000);
    // DECENTRA_PUBLIC_URL of the tests is http://decentra.test: a mailto of the instance instead.
    expect(claims.sub).toBe('mailto:push@decentra.test');
    expect(received.headers['content-encoding']).toBe('aes128gcm');
    expect(received.headers.ttl).toBe('86400');
    expect(received.headers.urgency).toBe('high');

    expect(browser.decrypt(received.body)).toEqual({
      title: 'ann',
      body: 'hello ben, are you there?',
      url: `/channels/@me/${dmAnnBen}`,
      tag: dmAnnBen,
    });
    // Another browser's keys cannot read it.
    expect(() => push.browser().decrypt(received.body)).toThrow();
    expect(sent.channelId).toBe(dmAnnBen);
    // The author's own browsers are never told of their own message.
    expect(server.logs.join('')).not.toContain('hello ben');
    await ben.rest.removePushSubscription({ endpoint: browser.endpoint });
  });

  it('carry a server message to the offline members it mentions by name, and nothing for a plain one', async () => {
    const browser = push.browser();
    await cat.rest.addPushSubscription(browser.subscription());
    const channelId = textChannelOf(club);
    const channel = club.channels.find((c) => c.id === channelId);
    // The plain one first: the queue is FIFO per browser, so a push for it would arrive first.
    await ann.rest.sendMessage({ channelId, content: 'plain words for everyone reading' });
    await ann.rest.sendMessage({ channelId, content: 'hey @cat, look at this' });
    const received = await push.nthPushTo(browser.endpoint, 1);
    expect(received.headers.urgency).toBe('normal');
    expect(browser.decrypt(received.body)).toEqual({
      title: `ann (#${channel?.name}, Club)`,
      body: 'hey @cat, look at this',
      url: `/channels/${club.id}/${channelId}`,
      tag: channelId,
    });
    await cat.rest.removePushSubscription({ endpoint: browser.endpoint });
  });

  it('are not sent to a recipient who is online, and are once they are gone', async () => {
    const browser = push.browser();
    await cat.rest.addPushSubscription(browser.subscription());
    const channelId = textChannelOf(club);
    const { socket: annSocket } = await TestSocket.identified(server.wsUrl, ann.token);
    const { socket: catSocket } = await TestSocket.identified(server.wsUrl, cat.token);
    await ann.rest.sendMessage({ channelId, content: '@cat you are here, no push' });
    await catSocket.nextEvent('message_create', (m) => m.content === '@cat you are here, no push');
    const from = annSocket.frames.length;
    // A client's goodbye (1000) makes its user offline at once (a drop would leave them a grace).
    catSocket.ws.close(1000);
    await annSocket.nextPresence((p) => p.userId === cat.id && p.status === 'offline', 5_000, from);
    await ann.rest.sendMessage({ channelId, content: '@cat now you are away' });
    const received = await push.nthPushTo(browser.endpoint, 1);
    expect(browser.decrypt(received.body).body).toBe('@cat now you are away');
    annSocket.close();
    await cat.rest.removePushSubscription({ endpoint: browser.endpoint });
  });

  /**
   * Resolves once every message sent before it has been looked at: a DM to Dan (offline,
   * subscribed) is looked at after them (one message at a time, in order), so when its push
   * arrives their pushes are decided. Without it a setting changed right after a send could be
   * read by that send's turn in the queue.
   */
  async function barrier(): Promise<void> {
    const browser = push.browser();
    await dan.rest.addPushSubscription(browser.subscription());
    const dm = (await ann.rest.openDm({ userId: dan.id })).id;
    await ann.rest.sendMessage({ channelId: dm, content: 'barrier' });
    await push.nthPushTo(browser.endpoint, 1);
    await dan.rest.removePushSubscription({ endpoint: browser.endpoint });
  }

  it("follow the recipient's settings: mode none sends nothing", async () => {
    const browser = push.browser();
    await ben.rest.addPushSubscription(browser.subscription());
    await ben.rest.putSettings({ notifications: { ...DEFAULT_USER_SETTINGS.notifications, mode: 'none' } });
    await ann.rest.sendMessage({ channelId: dmAnnBen, content: 'you chose silence' });
    await barrier();
    await ben.rest.putSettings({
      notifications: { ...DEFAULT_USER_SETTINGS.notifications, mode: 'mentions' },
    });
    await ann.rest.sendMessage({ channelId: dmAnnBen, content: 'a DM is a mention' });
    const received = await push.nthPushTo(browser.endpoint, 1);
    expect(browser.decrypt(received.body).body).toBe('a DM is a mention');
    await ben.rest.putSettings(DEFAULT_USER_SETTINGS);
    await ben.rest.removePushSubscription({ endpoint: browser.endpoint });
  });

  it("follow the recipient's overrides: a muted DM sends nothing until it is unmuted", async () => {
    const browser = push.browser();
    await ben.rest.addPushSubscription(browser.subscription());
    await ben.rest.updateNotificationOverride({ targetId: dmAnnBen, mute: 'forever' });
    await ann.rest.sendMessage({ channelId: dmAnnBen, content: 'said while muted' });
    await barrier();
    await ben.rest.updateNotificationOverride({ targetId: dmAnnBen, mute: null });
    await ann.rest.sendMessage({ channelId: dmAnnBen, content: 'said after unmuting' });
    const received = await push.nthPushTo(browser.endpoint, 1);
    expect(browser.decrypt(received.body).body).toBe('said after unmuting');
    expect(push.pushesTo(browser.endpoint)).toHaveLength(1);
    await ben.rest.removePushSubscription({ endpoint: browser.endpoint });
  });

  it('remove a subscription whose push service answers 410, and send it nothing more', async () => {
    const gone = push.browser();
    push.answer(gone.endpoint, 410);
    const witness = push.browser();
    // Subscribed in this order: with one push in flight at a time, `gone` is always tried first.
    await ben.rest.addPushSubscription(gone.subscription());
    await ben.rest.addPushSubscription(witness.subscription());
    await ann.rest.sendMessage({ channelId: dmAnnBen, content: 'first' });
    await push.nthPushTo(gone.endpoint, 1);
    await untilRemoved(server, ben, gone.endpoint);
    await push.nthPushTo(witness.endpoint, 1);
    await ann.rest.sendMessage({ channelId: dmAnnBen, content: 'second' });
    const second = await push.nthPushTo(witness.endpoint, 2);
    expect(witness.decrypt(second.body).body).toBe('second');
    expect(push.pushesTo(gone.endpoint)).toHaveLength(1);
    expect(await endpointsOf(server, ben)).toEqual([witness.endpoint]);
    await ben.rest.removePushSubscription({ endpoint: witness.endpoint });
  });
});

describe('a push service that does not answer', () => {
  it('is given up on after the timeout, and the next push goes', async () => {
    const own = await startTestServer({
      config: { allowPrivateFetch: true },
      push: { extraCa: push.caPem, limits: { concurrency: 1, timeoutMs: 1_500 } },
    });
    const [x, y] = await people(own.url, ['xena', 'yuri']);
    await befriend(x, y);
    const dm = (await x.rest.openDm({ userId: y.id })).id;
    const hung = push.browser();
    push.hold(hung.endpoint);
    const witness = push.browser();
    await y.rest.addPushSubscription(hung.subscription());
    await y.rest.addPushSubscription(witness.subscription());
    await x.rest.sendMessage({ channelId: dm, content: 'words only the browser may read' });
    // The hung one is tried first and cut off after 1.5 s; then the witness gets its push.
    await push.nthPushTo(hung.endpoint, 1);
    await push.nthPushTo(witness.endpoint, 1);
    const failed = own.logs.filter((line) => line.includes('push failed'));
    expect(failed).toHaveLength(1);
    expect(failed[0]).toContain(push.origin);
    // Neither the payload nor the endpoint's path (a capability) is logged.
    expect(failed[0]).not.toContain('words only the browser');
    expect(failed[0]).not.toContain(new URL(hung.endpoint).pathname);
    await own.close();
  });
});

describe('a push queue that is full', () => {
  it('drops the pushes of new messages with one log line, and the send is answered all the same', async () => {
    const own = await startTestServer({
      config: { allowPrivateFetch: true },
      push: {
        extraCa: push.caPem,
        limits: { concurrency: 1, queuedDeliveries: 1, queuedMessages: 1, timeoutMs: 120_000 },
      },
    });
    const [x, y] = await people(own.url, ['xena', 'yuri']);
    await befriend(x, y);
    const dm = (await x.rest.openDm({ userId: y.id })).id;
    const hung = push.browser();
    push.hold(hung.endpoint);
    await y.rest.addPushSubscription(hung.subscription());
    await x.rest.sendMessage({ channelId: dm, content: 'm1' });
    await push.nthPushTo(hung.endpoint, 1);
    // One push in flight (held), one waiting, one message waiting, and at most one being looked
    // at: of six more, some are dropped whatever the timing.
    for (const n of [2, 3, 4, 5, 6, 7]) await x.rest.sendMessage({ channelId: dm, content: `m${n}` });
    const full = own.logs.filter((line) => line.includes('push queue full'));
    expect(full).toHaveLength(1);
    expect(full[0]).not.toMatch(/m\d/);
    // The push in flight (held, 2 minutes to its deadline) is cut short: close does not wait.
    const started = Date.now();
    await own.close();
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(own.logs.some((line) => line.includes('pushes not sent: shutting down'))).toBe(true);
  });
});

describe('the sender, driven directly', () => {
  const senderWith = (isOnline: (userId: bigint) => boolean) => {
    const db = server.app.storage.db;
    return new PushSender({
      db,
      keys: new VapidKeyStore(db, server.app.encryptionKey, () => new Date()),
      subject: 'mailto:push@decentra.test',
      settingsOf: async () => DEFAULT_USER_SETTINGS,
      overridesOf: async () => ({}),
      isOnline,
      agent: outboundAgent({ allowPrivate: true, ca: [...rootCertificates, push.caPem] }),
      allowPrivate: true,
      log: server.app.log,
      now: Date.now,
      limits: { concurrency: 1 },
    });
  };
  const dmFromAnn = (id: string, content: string) => ({
    message: {
      id,
      channelId: dmAnnBen,
      author: { id: ann.id, username: 'ann' },
      content,
      mentions: [],
      createdAt: new Date().toISOString(),
      editedAt: null,
    },
    serverId: null,
    dmEnds: [idOf(ann), idOf(ben)],
  });

  it('judges who is online as the message is sent, not when the queue reaches it', async () => {
    const browser = push.browser();
    await ben.rest.addPushSubscription(browser.subscription());
    let benOnline = true;
    const sender = senderWith((id) => id === idOf(ben) && benOnline);
    sender.enqueue(dmFromAnn('1', 'while ben is here'));
    // Ben leaves before the queue has looked at the message (its first step awaits a query).
    benOnline = false;
    sender.enqueue(dmFromAnn('2', 'after ben left'));
    const first = await push.nthPushTo(browser.endpoint, 1);
    expect(browser.decrypt(first.body).body).toBe('after ben left');
    await sender.close();
    await ben.rest.removePushSubscription({ endpoint: browser.endpoint });
  });

  // The messages feature does not mark @everyone yet: the sender is driven with such a message.
  it('pushes @everyone to every offline subscribed member of the server but the author', async () => {
    const benBrowser = push.browser();
    const catBrowser = push.browser();
    const danBrowser = push.browser();
    await ben.rest.addPushSubscription(benBrowser.subscription());
    await cat.rest.addPushSubscription(catBrowser.subscription());
    // Dan is no member of the club.
    await dan.rest.addPushSubscription(danBrowser.subscription());
    const annBrowser = push.browser();
    await ann.rest.addPushSubscription(annBrowser.subscription());
    const sender = senderWith(() => false);
    const channelId = textChannelOf(club);
    const message = {
      id: '1',
      channelId,
      author: { id: ann.id, username: 'ann' },
      content: '@everyone meeting at noon',
      mentions: [],
      mentionEveryone: 'everyone' as const,
      createdAt: new Date().toISOString(),
      editedAt: null,
    };
    sender.enqueue({ message, serverId: BigInt(club.id), dmEnds: undefined });
    // Then a message to Dan alone, from Ben: it arrives after the @everyone pushes (one at a time).
    sender.enqueue({
      message: { ...message, id: '2', author: { id: ben.id, username: 'ben' }, mentionEveryone: undefined },
      serverId: null,
      dmEnds: [idOf(ben), idOf(dan)],
    });
    const toBen = await push.nthPushTo(benBrowser.endpoint, 1);
    const toCat = await push.nthPushTo(catBrowser.endpoint, 1);
    expect(benBrowser.decrypt(toBen.body).body).toBe('@everyone meeting at noon');
    expect(catBrowser.decrypt(toCat.body).title).toMatch(/^ann \(#.+, Club\)$/);
    const toDan = await push.nthPushTo(danBrowser.endpoint, 1);
    expect(danBrowser.decrypt(toDan.body).title).toBe('ben');
    expect(push.pushesTo(danBrowser.endpoint)).toHaveLength(1);
    expect(push.pushesTo(annBrowser.endpoint)).toEqual([]);
    await sender.close();
    for (const [p, b] of [
      [ben, benBrowser],
      [cat, catBrowser],
      [dan, danBrowser],
      [ann, annBrowser],
    ] as const) {
      await p.rest.removePushSubscription({ endpoint: b.endpoint });
    }
  });
});

describe.runIf(ENGINE === 'postgres')('two instances on one database', () => {
  it('answer the same key, and a push sent by the second verifies with it', async () => {
    const second = await startTestServer({
      db: server.db,
      config: { allowPrivateFetch: true },
      push: { extraCa: push.caPem },
    });
    try {
      const key = (await ben.rest.getPushKey()).publicKey;
      const annThere = { ...ann, rest: restClient(second.url, ann.token) };
      expect((await annThere.rest.getPushKey()).publicKey).toBe(key);
      const browser = push.browser();
      await ben.rest.addPushSubscription(browser.subscription());
      await annThere.rest.sendMessage({ channelId: dmAnnBen, content: 'from the other instance' });
      const received = await push.nthPushTo(browser.endpoint, 1);
      expect(verifyVapid(received.headers.authorization as string | undefined).key).toBe(key);
      expect(browser.decrypt(received.body).body).toBe('from the other instance');
      await ben.rest.removePushSubscription({ endpoint: browser.endpoint });
    } finally {
      await second.close({ keepData: true });
    }
  });

  it('push nothing to a recipient connected to the other instance (presence shared through Redis)', async () => {
    const shared = {
      db: server.db,
      redisPrefix: `test:${randomUUID()}:`,
      config: { allowPrivateFetch: true, redisUrl: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379' },
      push: { extraCa: push.caPem, limits: { concurrency: 1 } },
      sendLimits: { points: 1000, windowSeconds: 5 },
    };
    const a = await startTestServer(shared);
    const b = await startTestServer(shared);
    try {
      const catBrowser = push.browser();
      const benBrowser = push.browser();
      await cat.rest.addPushSubscription(catBrowser.subscription());
      await ben.rest.addPushSubscription(benBrowser.subscription());
      // Cat is connected to B only; Ann writes through A, which holds no socket of Cat's.
      const { socket: catOnB } = await TestSocket.identified(b.wsUrl, cat.token);
      const annOnA = restClient(a.url, ann.token);
      await annOnA.sendMessage({ channelId: textChannelOf(club), content: '@cat you are on B' });
      await catOnB.nextEvent('message_create', (m) => m.content === '@cat you are on B');
      // Ben is offline: his push leaves after Cat's would have (one push at a time, in order).
      await annOnA.sendMessage({ channelId: dmAnnBen, content: 'ben is away' });
      const toBen = await push.nthPushTo(benBrowser.endpoint, 1);
      expect(benBrowser.decrypt(toBen.body).body).toBe('ben is away');
      expect(push.pushesTo(catBrowser.endpoint)).toEqual([]);
      catOnB.close();
      await cat.rest.removePushSubscription({ endpoint: catBrowser.endpoint });
      await ben.rest.removePushSubscription({ endpoint: benBrowser.endpoint });
    } finally {
      await b.close({ keepData: true });
      await a.close({ keepData: true });
    }
  });
});
