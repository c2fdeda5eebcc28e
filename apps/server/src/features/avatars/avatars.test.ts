import { avatarUrl, MAX_AVATAR_UPLOAD_BYTES, type Server } from '@decentra/protocol';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  befriend,
  PASSWORD,
  type Person,
  people,
  refused,
  restClient,
  serverWith,
  textChannelOf,
} from '../../../test/people.js';
import { startTestServer, type TestServer } from '../../../test/test-server.js';
import { TestSocket } from '../../../test/ws-client.js';
import { AVATAR_UPLOADS_PER_MINUTE } from './avatar-rate-limit.js';

let server: TestServer;
let ann: Person;
let ben: Person;
let cat: Person;
let dan: Person;
let eve: Person;
let club: Server;

/** A solid picture of this size and colour, in a format sharp writes. */
function picture(width: number, height: number, background: string, format: 'png' | 'jpeg' = 'png') {
  return sharp({ create: { width, height, channels: 3, background } })
    [format]()
    .toBuffer();
}

/** 600×200: red in the middle third, blue on both sides; a centre crop keeps only red. */
async function wideRedCentre(): Promise<Buffer> {
  const red = await picture(200, 200, '#ff0000');
  return sharp({ create: { width: 600, height: 200, channels: 3, background: '#0000ff' } })
    .composite([{ input: red, left: 200, top: 0 }])
    .png()
    .toBuffer();
}

/** The stored picture, fetched as a browser would (a bearer token here). */
async function fetchImage(hash: string, token?: string): Promise<Response> {
  return fetch(
    `${server.url}${avatarUrl(hash)}`,
    token ? { headers: { authorization: `Bearer ${token}` } } : {},
  );
}

/** A raw PUT of bytes (for what the SDK would not send: a lie in Content-Length, no length). */
function putRaw(path: string, token: string, body: Uint8Array, headers: Record<string, string> = {}) {
  return fetch(`${server.url}${path}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream', ...headers },
    body,
  });
}

beforeAll(async () => {
  server = await startTestServer();
  [ann, ben, cat, dan, eve] = await people(server.url, ['ann', 'ben', 'cat', 'dan', 'eve']);
  club = await serverWith(ann, 'Club', [ben]);
  await befriend(ann, cat);
});
afterAll(() => server.close());

describe('an avatar upload', () => {
  it('is kept as a 256×256 webp, centre-cropped, shown to another user and refused to anonymous', async () => {
    const me = await ann.rest.setAvatar({ body: await wideRedCentre() });
    expect(me.avatar).toMatch(/^[0-9a-f]{64}$/);
    const hash = me.avatar ?? '';
    expect((await ann.rest.me()).avatar).toBe(hash);

    const res = await fetchImage(hash, ben.token);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/webp');
    expect(res.headers.get('cache-control')).toBe('private, max-age=31536000, immutable');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const bytes = Buffer.from(await res.arrayBuffer());
    const meta = await sharp(bytes).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['webp', 256, 256]);
    // Only the red middle is left: near both edges it is red, not the blue of the sides.
    const { data } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
    for (const at of [(128 * 256 + 12) * 3, (128 * 256 + 243) * 3]) {
      expect(data[at]).toBeGreaterThan(200);
      expect(data[at + 2]).toBeLessThan(60);
    }

    expect((await fetchImage(hash)).status).toBe(401);
    expect((await fetchImage('0'.repeat(64), ben.token)).status).toBe(404);
    expect((await fetchImage('not-a-hash', ben.token)).status).toBe(400);
  });

  it('drops the metadata and keeps the first frame of an animation', async () => {
    const tagged = await sharp(await picture(300, 300, '#00ff00', 'jpeg'))
      .withMetadata({ exif: { IFD0: { Copyright: 'where I live' } } })
      .jpeg()
      .toBuffer();
    expect((await sharp(tagged).metadata()).exif).toBeDefined();
    const tagless = await eve.rest.setAvatar({ body: tagged });
    const stored = Buffer.from(await (await fetchImage(tagless.avatar ?? '', eve.token)).arrayBuffer());
    const meta = await sharp(stored).metadata();
    expect(meta.exif).toBeUndefined();
    expect(stored.includes(Buffer.from('where I live'))).toBe(false);

    const frames = [await picture(64, 64, '#ff0000'), await picture(64, 64, '#0000ff')];
    const gif = await sharp(frames, { join: { animated: true } })
      .gif()
      .toBuffer();
    const animated = await eve.rest.setAvatar({ body: gif });
    const first = Buffer.from(await (await fetchImage(animated.avatar ?? '', eve.token)).arrayBuffer());
    const firstMeta = await sharp(first, { pages: -1 }).metadata();
    expect([firstMeta.pages ?? 1, firstMeta.width, firstMeta.height]).toEqual([1, 256, 256]);
    const { data } = await sharp(first).raw().toBuffer({ resolveWithObject: true });
    expect(data[0]).toBeGreaterThan(200); // red: the first frame
  });

  it('refuses what is not a picture, changing nothing and telling no one', async () => {
    const { socket } = await TestSocket.identified(server.wsUrl, ben.token);
    const before = (await ann.rest.me()).avatar;
    const svg = Buffer.from(
      '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>',
    );
    const truncated = (await picture(100, 100, '#ff0000')).subarray(0, 60);
    for (const body of [Buffer.from('just some text\n'), svg, truncated, Buffer.alloc(0)]) {
      const err = await refused(ann.rest.setAvatar({ body }));
      expect([err.status, err.code]).toEqual([400, 'invalid_input']);
    }
    const big = Buffer.alloc(MAX_AVATAR_UPLOAD_BYTES + 1, 1);
    const tooBig = await putRaw('/api/users/@me/avatar', ann.token, big);
    expect(tooBig.status).toBe(413);
    expect(((await tooBig.json()) as { error: { code: string } }).error.code).toBe('payload_too_large');
    expect((await ann.rest.me()).avatar).toBe(before);

    // Ordering, not waiting, shows nothing went out: the next change's event is the first one.
    await ann.rest.deleteAvatar();
    const first = await socket.nextEvent('user_ref_update', (d) => d.id === ann.id);
    expect(first.d.avatar).toBeUndefined();
    expect(socket.payloads('user_ref_update')).toHaveLength(1);
    socket.close();
  });
});

describe('who hears of a new avatar', () => {
  it('reaches my sessions, co-members, friends and DM partners, not strangers; every list shows it', async () => {
    const { socket: mine } = await TestSocket.identified(server.wsUrl, ann.token);
    const { socket: member } = await TestSocket.identified(server.wsUrl, ben.token);
    const { socket: friend } = await TestSocket.identified(server.wsUrl, cat.token);
    const { socket: stranger } = await TestSocket.identified(server.wsUrl, dan.token);

    const me = await ann.rest.setAvatar({ body: await picture(80, 80, '#123456') });
    const ref = { id: ann.id, username: 'ann', avatar: me.avatar };
    expect((await mine.nextEvent('user_update')).d).toEqual(me);
    expect((await member.nextEvent('user_ref_update')).d).toEqual(ref);
    expect((await friend.nextEvent('user_ref_update')).d).toEqual(ref);

    // Dan hears of the next thing meant for him, and nothing about ann's avatar before it.
    await eve.rest.sendFriendRequest({ username: 'dan' });
    await stranger.nextEvent('friend_request_create');
    expect(stranger.events('user_ref_update')).toEqual([]);

    const dm = await cat.rest.openDm({ userId: ann.id });
    expect(dm.recipients?.find((r) => r.id === ann.id)?.avatar).toBe(me.avatar);
    const channelId = textChannelOf(club);
    await ann.rest.sendMessage({ channelId, content: 'hello', nonce: 'avatar-1' });
    const [message] = await ben.rest.listMessages({ channelId, limit: 1 });
    expect(message?.author).toEqual(ref);
    const members = await ben.rest.listMembers({ serverId: club.id });
    expect(members.find((m) => m.user.id === ann.id)?.user).toEqual(ref);
    expect((await cat.rest.listFriends()).friends.find((f) => f.id === ann.id)).toEqual(ref);
    expect((await ben.rest.getUserProfile({ userId: ann.id })).avatar).toBe(me.avatar);
    expect((await ben.rest.searchUsers({ q: 'an' })).find((u) => u.id === ann.id)?.avatar).toBe(me.avatar);
    for (const s of [mine, member, friend, stranger]) s.close();
  });

  it('removing it tells them too, and the picture is no longer served', async () => {
    const { socket } = await TestSocket.identified(server.wsUrl, ben.token);
    const old = (await ann.rest.me()).avatar ?? '';
    expect((await fetchImage(old, ben.token)).status).toBe(200);
    await ann.rest.deleteAvatar();
    expect((await socket.nextEvent('user_ref_update')).d).toEqual({ id: ann.id, username: 'ann' });
    expect((await ann.rest.me()).avatar).toBeUndefined();
    expect((await fetchImage(old, ben.token)).status).toBe(404);
    socket.close();
  });

  it('keeps a picture two people use while one of them still shows it', async () => {
    const body = await picture(90, 90, '#abcdef');
    const a = await ann.rest.setAvatar({ body });
    const b = await ben.rest.setAvatar({ body });
    expect(b.avatar).toBe(a.avatar);
    await ann.rest.deleteAvatar();
    expect((await fetchImage(b.avatar ?? '', cat.token)).status).toBe(200);
    await ben.rest.deleteAvatar();
    expect((await fetchImage(b.avatar ?? '', cat.token)).status).toBe(404);
  });
});

describe('a server icon', () => {
  it('is set by the owner only; members hear server_update with it, and it goes again', async () => {
    const { socket } = await TestSocket.identified(server.wsUrl, ben.token);
    const body = await picture(120, 90, '#ffaa00');
    const err = await refused(ben.rest.setServerIcon({ serverId: club.id, body }));
    expect([err.status, err.code]).toEqual([403, 'forbidden']);
    const outsider = await refused(dan.rest.setServerIcon({ serverId: club.id, body }));
    expect(outsider.status).toBe(404);
    expect((await refused(ben.rest.deleteServerIcon({ serverId: club.id }))).status).toBe(403);
    expect((await ben.rest.getServer({ serverId: club.id })).icon).toBeUndefined();

    const updated = await ann.rest.setServerIcon({ serverId: club.id, body });
    expect(updated.icon).toMatch(/^[0-9a-f]{64}$/);
    const event = await socket.nextEvent('server_update');
    expect(event.d).toEqual({ id: club.id, name: 'Club', ownerId: ann.id, icon: updated.icon });
    // The refusals before it told no one: this is the first server_update.
    expect(socket.payloads('server_update')).toHaveLength(1);
    expect((await ben.rest.listServers()).find((s) => s.id === club.id)?.icon).toBe(updated.icon);
    expect((await fetchImage(updated.icon ?? '', ben.token)).status).toBe(200);

    const renamed = await ann.rest.renameServer({ serverId: club.id, name: 'Club house' });
    expect(renamed.icon).toBe(updated.icon);
    expect((await socket.nextEvent('server_update', (d) => d.name === 'Club house')).d.icon).toBe(
      updated.icon,
    );

    const bad = await refused(ann.rest.setServerIcon({ serverId: club.id, body: Buffer.from('<svg/>') }));
    expect(bad.code).toBe('invalid_input');
    await ann.rest.deleteServerIcon({ serverId: club.id });
    const gone = await socket.nextEvent('server_update', (d) => d.icon === undefined);
    expect(gone.d).toEqual({ id: club.id, name: 'Club house', ownerId: ann.id });
    expect((await fetchImage(updated.icon ?? '', ben.token)).status).toBe(404);
    socket.close();
  });
});

describe('uploads in a row', () => {
  it('are refused past 20 a minute, with rate_limited and nothing changed', async () => {
    const [hal] = await people(server.url, ['hal'], ann);
    const tiny = await picture(4, 4, '#010203');
    let kept: string | undefined;
    for (let i = 0; i < AVATAR_UPLOADS_PER_MINUTE; i++)
      kept = (await hal.rest.setAvatar({ body: tiny })).avatar;
    const err = await refused(hal.rest.setAvatar({ body: await picture(4, 4, '#fefdfc') }));
    expect([err.status, err.code]).toEqual([429, 'rate_limited']);
    expect(kept).toBeDefined();
    expect((await hal.rest.me()).avatar).toBe(kept);
  });
});

describe('a deleted account', () => {
  it('shows no picture any more, and the picture is gone', async () => {
    const [gus] = await people(server.url, ['gus'], ann);
    const me = await gus.rest.setAvatar({ body: await picture(64, 64, '#445566') });
    await gus.rest.deleteAccount({ password: PASSWORD });
    expect((await fetchImage(me.avatar ?? '', ann.token)).status).toBe(404);
  });
});

describe('a restart', () => {
  it('keeps avatars and icons: they live in the database', async () => {
    const me = await cat.rest.setAvatar({ body: await picture(50, 70, '#00aa55') });
    const icon = (await ann.rest.setServerIcon({ serverId: club.id, body: await picture(40, 40, '#aa0055') }))
      .icon;
    const before = Buffer.from(await (await fetchImage(me.avatar ?? '', ben.token)).arrayBuffer());
    await server.close({ keepData: true });
    server = await startTestServer({ db: server.db });
    expect((await restClient(server.url, cat.token).me()).avatar).toBe(me.avatar);
    expect((await restClient(server.url, ben.token).getServer({ serverId: club.id })).icon).toBe(icon);
    const after = Buffer.from(await (await fetchImage(me.avatar ?? '', ben.token)).arrayBuffer());
    expect(after.equals(before)).toBe(true);
  });
});
