import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { joinServer, makeServer, makeUsers, send, type TestUser, textChannel } from '../../test/factories.js';
import { type Api, api } from '../../test/http.js';
import { startTestServer, type TestServer } from '../../test/test-server.js';

/**
 * Whatever a client puts in a field, the answer is a 4xx in the contract's error shape (or a
 * success), never a 500, and the server stays up.
 */
const HOSTILE: unknown[] = [
  '\u0000',
  'a\u0000b',
  '\u202eevil',
  '<img src=x onerror=alert(1)>',
  "'; drop table users; --",
  'x'.repeat(5000),
  '',
  ' ',
  -1,
  1.5,
  Number.MAX_VALUE,
  true,
  null,
  [],
  {},
  { $gt: '' },
  '9'.repeat(30),
  '0',
];

let server: TestServer;
let http: Api;
let owner: TestUser;
let other: TestUser;
let serverId: string;
let channelId: string;
let messageId: string;

beforeAll(async () => {
  server = await startTestServer({ sendLimits: { points: 100_000, windowSeconds: 5 } });
  http = api(server.url);
  [owner, other] = await makeUsers(http, ['owner', 'other']);
  const guild = await makeServer(http, owner, 'Hostile');
  await joinServer(http, guild, owner, [other]);
  serverId = guild.id;
  channelId = textChannel(guild);
  messageId = (await send(http, owner, channelId, 'target')).body.id;
});
afterAll(() => server.close());

interface Target {
  name: string;
  method: 'POST' | 'PATCH' | 'PUT';
  path: () => string;
  body: Record<string, unknown>;
}

const future = () => new Date(Date.now() + 60_000).toISOString();

const targets: Target[] = [
  {
    name: 'signup',
    method: 'POST',
    path: () => '/api/auth/signup',
    body: { username: 'newuser', password: 'password123', inviteCode: 'x' },
  },
  {
    name: 'login',
    method: 'POST',
    path: () => '/api/auth/login',
    body: { username: 'owner', password: 'password123' },
  },
  { name: 'create server', method: 'POST', path: () => '/api/servers', body: { name: 'ok' } },
  {
    name: 'rename server',
    method: 'PATCH',
    path: () => `/api/servers/${serverId}`,
    body: { name: 'Hostile' },
  },
  {
    name: 'server invite',
    method: 'POST',
    path: () => `/api/servers/${serverId}/invites`,
    body: { maxUses: 2, expiresAt: future() },
  },
  { name: 'join', method: 'POST', path: () => '/api/servers/join', body: { inviteCode: 'nope' } },
  {
    name: 'member permissions',
    method: 'PATCH',
    path: () => `/api/servers/${serverId}/members/${other.id}`,
    body: { permissions: { createChannel: false } },
  },
  {
    name: 'create channel',
    method: 'POST',
    path: () => `/api/servers/${serverId}/channels`,
    body: { name: 'c', type: 'text' },
  },
  {
    name: 'send message',
    method: 'POST',
    path: () => `/api/channels/${channelId}/messages`,
    body: { content: 'hi', nonce: 'n' },
  },
  {
    name: 'edit message',
    method: 'PATCH',
    path: () => `/api/channels/${channelId}/messages/${messageId}`,
    body: { content: 'edited' },
  },
  {
    name: 'friend request',
    method: 'POST',
    path: () => '/api/friends/requests',
    body: { username: 'other' },
  },
  { name: 'open DM', method: 'POST', path: () => '/api/dms', body: { userId: '1' } },
];

describe('hostile input', () => {
  it.each(targets.map((t) => [t.name, t] as const))('%s never answers 5xx', async (_name, target) => {
    for (const field of Object.keys(target.body)) {
      for (const value of HOSTILE) {
        const body = { ...target.body, [field]: value };
        const res = await http.request<{ error?: { code: string; message: string } }>(
          target.method,
          target.path(),
          body,
          {
            token: owner.token,
          },
        );
        expect(
          res.status,
          `${field}=${JSON.stringify(value)?.slice(0, 40)} → ${JSON.stringify(res.body)}`,
        ).toBeLessThan(500);
        if (res.status >= 400) {
          expect(typeof res.body.error?.code).toBe('string');
          expect(typeof res.body.error?.message).toBe('string');
        }
      }
    }
  });

  it('never answers 5xx to hostile path parameters and queries', async () => {
    const ids = ['abc', '-1', '0', '1e5', '99999999999999999999999', '%00', '..%2F..', '@me'];
    for (const id of ids) {
      for (const path of [
        `/api/servers/${id}`,
        `/api/servers/${id}/members`,
        `/api/channels/${id}/messages`,
        `/api/channels/${channelId}/messages?before=${id}`,
        `/api/channels/${channelId}/messages?limit=${id}`,
        `/api/users/search?q=${id}`,
      ]) {
        const res = await http.get(path, { token: owner.token });
        expect(res.status, path).toBeLessThan(500);
      }
      const del = await http.delete(`/api/servers/${serverId}/members/${id}`, { token: owner.token });
      expect(del.status).toBeLessThan(500);
    }
    expect((await http.get('/healthz')).status).toBe(200);
  });
});
