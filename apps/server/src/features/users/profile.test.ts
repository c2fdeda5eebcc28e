import type { Server } from '@decentra/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../../../test/http.js';
import {
  befriend,
  PASSWORD,
  type Person,
  people,
  refused,
  restClient,
  serverWith,
} from '../../../test/people.js';
import { startTestServer, type TestServer } from '../../../test/test-server.js';

let server: TestServer;
let root: Person;
let ann: Person;
let ben: Person;
let cat: Person;
let dan: Person;
let eve: Person;
let stranger: Person;
let chess: Server;
let books: Server;

const profile = (viewer: Person, of: Person | string) =>
  viewer.rest.getUserProfile({ userId: typeof of === 'string' ? of : of.id });

beforeAll(async () => {
  server = await startTestServer();
  [root, ann, ben, cat, dan, eve, stranger] = await people(server.url, [
    'root',
    'ann',
    'ben',
    'cat',
    'dan',
    'eve',
    'stranger',
  ]);
  // Ann and Ben share two servers; Cat is a friend of both; Dan only has a request from Ann.
  books = await serverWith(ann, 'books', [ben]);
  chess = await serverWith(ben, 'Chess', [ann]);
  await befriend(ann, cat);
  await befriend(ben, cat);
  await befriend(ann, eve);
  await ann.rest.sendFriendRequest({ username: 'dan' });
});
afterAll(() => server.close());

describe('GET /api/users/:userId/profile', () => {
  it('shows a server mate: member since, mutual servers with join dates, mutual friends', async () => {
    const p = await profile(ann, ben);
    expect(p).toMatchObject({ id: ben.id, username: 'ben', relationship: 'none' });
    expect(Date.parse(p.createdAt)).not.toBeNaN();
    // By name, whatever the case; the dates are when Ben joined each.
    expect(p.mutualServers.map((s) => [s.id, s.name])).toEqual([
      [books.id, 'books'],
      [chess.id, 'Chess'],
    ]);
    for (const s of p.mutualServers)
      expect(Date.parse(s.joinedAt)).toBeGreaterThanOrEqual(Date.parse(p.createdAt));
    // Cat is a friend of both; Eve only of Ann.
    expect((await profile(ben, ann)).mutualFriends).toEqual([{ id: cat.id, username: 'cat' }]);
  });

  it('shows a friend with no server in common, and the request states both ways', async () => {
    expect(await profile(cat, ann)).toMatchObject({
      relationship: 'friend',
      mutualServers: [],
      mutualFriends: [],
    });
    expect((await profile(ann, cat)).relationship).toBe('friend');
    expect(await profile(ann, dan)).toMatchObject({ username: 'dan', relationship: 'outgoing' });
    expect(await profile(dan, ann)).toMatchObject({ username: 'ann', relationship: 'incoming' });
  });

  it('answers your own profile', async () => {
    expect(await profile(stranger, stranger)).toMatchObject({
      id: stranger.id,
      username: 'stranger',
      relationship: 'none',
      mutualServers: [],
    });
  });

  it('is not_found for strangers, exactly as for a user who does not exist', async () => {
    const notThere = await refused(profile(stranger, '123456789'));
    const hidden = await refused(profile(stranger, ann));
    expect(hidden).toMatchObject({ status: 404, code: 'not_found' });
    expect(hidden.message).toBe(notThere.message);
    expect(notThere).toMatchObject({ status: 404, code: 'not_found' });
    // Dan and Ben share nothing: Ann's request to Dan is no window for Ben.
    expect(await refused(profile(ben, dan))).toMatchObject({ status: 404 });
    expect(await refused(profile(dan, ben))).toMatchObject({ status: 404 });
  });

  it('goes when the last tie goes: leaving the server, a declined request, an unfriending', async () => {
    const club = await serverWith(root, 'club', [eve]);
    await eve.rest.removeFriend({ userId: ann.id });
    expect((await profile(root, eve)).mutualServers.map((s) => s.id)).toEqual([club.id]);
    await eve.rest.removeMember({ serverId: club.id, userId: '@me' });
    expect(await refused(profile(root, eve))).toMatchObject({ status: 404 });
    expect(await refused(profile(ann, eve))).toMatchObject({ status: 404 });
    const incoming = (await dan.rest.listFriends()).incoming[0];
    if (!incoming) throw new Error('Dan should have a request');
    await dan.rest.deleteFriendRequest({ requestId: incoming.id });
    expect(await refused(profile(ann, dan))).toMatchObject({ status: 404 });
  });

  it('refuses a bad id and the logged-out', async () => {
    const bad = await api(server.url).get<{ error: { code: string } }>('/api/users/abc/profile', {
      token: ann.token,
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_input');
    expect((await refused(restClient(server.url).getUserProfile({ userId: ben.id }))).status).toBe(401);
  });
});

describe('sign-up with a server invite', () => {
  it('answers the server the new account joined, none for a sign-up code', async () => {
    const { code } = await ann.rest.createServerInvite({ serverId: books.id });
    const joined = await restClient(server.url).signup({
      username: 'newbie',
      password: PASSWORD,
      inviteCode: code,
    });
    expect(joined.joinedServerId).toBe(books.id);
    const plain = await restClient(server.url).signup({
      username: 'plain',
      password: PASSWORD,
      inviteCode: (await ann.rest.createInvite()).code,
    });
    expect(plain.joinedServerId).toBeUndefined();
  });
});
