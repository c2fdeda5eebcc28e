import { ROUTES, type RouteName, type Routes } from '@decentra/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as z from 'zod';
import { type Api, api } from '../../test/http.js';
import { type Person, people, serverWith, textChannelOf } from '../../test/people.js';
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
/** Raw on purpose: this file sends what the SDK's types never would. */
let http: Api;
let owner: Person;
let other: Person;
let serverId: string;
let channelId: string;
let messageId: string;

beforeAll(async () => {
  server = await startTestServer({ sendLimits: { points: 100_000, windowSeconds: 5 } });
  http = api(server.url);
  [owner, other] = await people(server.url, ['owner', 'other']);
  const guild = await serverWith(owner, 'Hostile', [other]);
  serverId = guild.id;
  channelId = textChannelOf(guild);
  messageId = (await owner.rest.sendMessage({ channelId, content: 'target' })).id;
});
afterAll(() => server.close());

type ParamsOf<N extends RouteName> = Routes[N] extends { params: infer P extends z.ZodType }
  ? z.input<P>
  : Record<never, never>;
type BodyOf<N extends RouteName> = Routes[N] extends { body: infer B extends z.ZodType }
  ? NonNullable<z.input<B>>
  : never;

/**
 * The path of route `name` with its parameters put in as given, unencoded: hostile values such
 * as `%00` or `..%2F..` must reach the server as they are.
 */
function pathOf<N extends RouteName>(name: N, params: ParamsOf<N>): string {
  const values = params as Record<string, string | undefined>;
  return ROUTES[name].path.replace(/:([A-Za-z]+)/g, (_, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`${name}: no value for :${key}`);
    return value;
  });
}

/** A route with a body, and a valid body for it (typed by the contract) whose fields are spoiled one by one. */
interface Target {
  route: RouteName;
  path: () => string;
  body: Record<string, unknown>;
}

function target<N extends RouteName>(route: N, params: () => ParamsOf<N>, body: BodyOf<N>): Target {
  return { route, path: () => pathOf(route, params()), body };
}

const none = () => ({});
const future = () => new Date(Date.now() + 60_000).toISOString();

const targets: Target[] = [
  target('signup', none, { username: 'newuser', password: 'password123', inviteCode: 'x' }),
  target('login', none, { username: 'owner', password: 'password123' }),
  target('createServer', none, { name: 'ok' }),
  target('renameServer', () => ({ serverId }), { name: 'Hostile' }),
  target('createServerInvite', () => ({ serverId }), { maxUses: 2, expiresAt: future() }),
  target('joinServer', none, { inviteCode: 'nope' }),
  target('updateMember', () => ({ serverId, userId: other.id }), { permissions: { createChannel: false } }),
  target('createChannel', () => ({ serverId }), { name: 'c', type: 'text' }),
  target('sendMessage', () => ({ channelId }), { content: 'hi', nonce: 'n' }),
  target('editMessage', () => ({ channelId, messageId }), { content: 'edited' }),
  target('sendFriendRequest', none, { username: 'other' }),
  target('openDm', none, { userId: '1' }),
];

describe('hostile input', () => {
  it.each(targets.map((t) => [t.route, t] as const))('%s never answers 5xx', async (_name, target) => {
    const { method } = ROUTES[target.route];
    for (const field of Object.keys(target.body)) {
      for (const value of HOSTILE) {
        const body = { ...target.body, [field]: value };
        const res = await http.request<{ error?: { code: string; message: string } }>(
          method,
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
    const history = pathOf('listMessages', { channelId });
    // Query keys checked against the contract, so they cannot drift either.
    const historyKey = (key: keyof z.input<Routes['listMessages']['query']>, value: string) =>
      `${history}?${key}=${value}`;
    const searchKey = (key: keyof z.input<Routes['searchUsers']['query']>, value: string) =>
      `${ROUTES.searchUsers.path}?${key}=${value}`;
    const ids = ['abc', '-1', '0', '1e5', '99999999999999999999999', '%00', '..%2F..', '@me'];
    for (const id of ids) {
      for (const path of [
        pathOf('getServer', { serverId: id }),
        pathOf('listMembers', { serverId: id }),
        pathOf('listMessages', { channelId: id }),
        historyKey('before', id),
        historyKey('limit', id),
        searchKey('q', id),
        pathOf('getUserProfile', { userId: id }),
      ]) {
        const res = await http.get(path, { token: owner.token });
        expect(res.status, path).toBeLessThan(500);
      }
      const kick = ROUTES.removeMember;
      const del = await http.request(
        kick.method,
        pathOf('removeMember', { serverId, userId: id }),
        undefined,
        {
          token: owner.token,
        },
      );
      expect(del.status).toBeLessThan(500);
    }
    expect((await http.request(ROUTES.health.method, ROUTES.health.path)).status).toBe(200);
  });
});
