import {
  type AuthResponse,
  CSRF_HEADER,
  CSRF_HEADER_VALUE,
  ROUTE_NAMES,
  ROUTES,
  type RouteSpec,
} from '@decentra/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { startTestServer, type TestServer } from '../../../apps/server/test/test-server.js';
import { ApiError, RestClient, requestBody } from './rest.js';

let server: TestServer;
let admin: RestClient;
let adminAuth: AuthResponse;

beforeAll(async () => {
  server = await startTestServer();
  admin = new RestClient({ baseUrl: server.url });
  adminAuth = await admin.signup({ username: 'sdkadmin', password: 'password123' });
});
afterAll(() => server.close());

interface Sent {
  url: string;
  method: string | undefined;
  headers: Headers;
  body: string | undefined;
}

/** A `fetch` that answers every request with `answer()` and records what it was asked. */
function fakeFetch(answer: () => Response): { fetch: typeof fetch; sent: Sent[] } {
  const sent: Sent[] = [];
  const fake = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    sent.push({
      url: String(input),
      method: init.method,
      headers: new Headers(init.headers),
      body: typeof init.body === 'string' ? init.body : undefined,
    });
    return answer();
  };
  return { fetch: fake as typeof fetch, sent };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

describe('RestClient against a real server', () => {
  it('signs up, invites, logs in and out', async () => {
    expect(adminAuth.user.isAdmin).toBe(true);
    expect((await admin.me()).username).toBe('sdkadmin');
    const { code } = await admin.createInvite();
    const other = new RestClient({ baseUrl: server.url });
    await other.signup({ username: 'sdkuser', password: 'password123', inviteCode: code });
    await other.logout();
    await expect(other.me()).rejects.toMatchObject({ status: 401, code: 'unauthorized' });
  });

  it('turns refusals into ApiError with the contract code and message', async () => {
    const client = new RestClient({ baseUrl: server.url });
    const err = await client.login({ username: 'nobody', password: 'password123' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 401, code: 'unauthorized', message: 'Wrong username or password.' });
  });

  it('keeps the token signup and login answer, sends it, and drops it at logout', async () => {
    const { code } = await admin.createInvite();
    const client = new RestClient({ baseUrl: server.url, validate: true });
    expect(client.token).toBeUndefined();
    const signedUp = await client.signup({ username: 'sdktoken', password: 'password123', inviteCode: code });
    expect(client.token).toBe(signedUp.token);
    expect((await client.me()).username).toBe('sdktoken');

    await client.logout();
    expect(client.token).toBeUndefined();
    // Nothing is sent any more, and the old session is gone on the server too.
    await expect(client.me()).rejects.toMatchObject({ status: 401 });
    const old = new RestClient({ baseUrl: server.url, token: signedUp.token });
    await expect(old.me()).rejects.toMatchObject({ status: 401 });

    const loggedIn = await client.login({ username: 'sdktoken', password: 'password123' });
    expect(loggedIn.token).not.toBe(signedUp.token);
    expect(client.token).toBe(loggedIn.token);
    expect((await client.me()).id).toBe(signedUp.user.id);
  });

  it('reads a refusal’s reason from details.reason', async () => {
    const err = await new RestClient({ baseUrl: server.url })
      .signup({ username: 'nocode', password: 'password123' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 403, code: 'forbidden', details: { reason: 'invite_required' } });
    expect((err as ApiError).reason).toBe('invite_required');
  });
});

describe('RestClient on the wire', () => {
  it('has a method for every route, sending its method and path with the parameters filled in', async () => {
    const { fetch, sent } = fakeFetch(() => new Response(null, { status: 204 }));
    const client = new RestClient({ baseUrl: 'http://decentra.test/', token: 'tok', fetch });
    for (const name of ROUTE_NAMES) {
      const spec: RouteSpec = ROUTES[name];
      const params = Object.fromEntries(
        (spec.path.match(/:[A-Za-z]+/g) ?? []).map((p, i) => [p.slice(1), String(100 + i)]),
      );
      client.token = 'tok'; // logout drops it
      const method = (client as unknown as Record<string, unknown>)[name];
      expect(typeof method, name).toBe('function');
      await (method as (input: unknown) => Promise<unknown>)(params);
      const request = sent.at(-1);
      const path = spec.path.replace(/:([A-Za-z]+)/g, (_, key: string) => params[key] ?? '');
      expect({ url: request?.url, method: request?.method }, name).toEqual({
        url: `http://decentra.test${path}`,
        method: spec.method,
      });
      // A body (the remaining fields: none here) exactly when the route takes one.
      expect(request?.body, name).toBe(spec.body ? '{}' : undefined);
      expect(request?.headers.get('authorization'), name).toBe('Bearer tok');
      expect(request?.headers.get(CSRF_HEADER), name).toBe(CSRF_HEADER_VALUE);
    }
    expect(sent).toHaveLength(ROUTE_NAMES.length);
  });

  it('sends an upload route’s bytes as they are, as octet-stream; other routes’ fields as JSON', async () => {
    const upload: RouteSpec = {
      method: 'POST',
      path: '/api/x/:id/files',
      auth: 'user',
      upload: true,
      status: 201,
      response: z.object({}),
      tags: [],
      summary: '',
    };
    const bytes = new Uint8Array([0, 1, 2, 255]);
    const fromArray = requestBody(upload, { body: bytes });
    expect(fromArray?.type).toBe('application/octet-stream');
    expect(new Uint8Array(await new Response(fromArray?.data).arrayBuffer())).toEqual(bytes);
    const blob = new Blob([bytes], { type: 'image/png' });
    expect(requestBody(upload, { body: blob })).toEqual({ type: 'application/octet-stream', data: blob });
    expect(requestBody(upload, {})).toBeUndefined();
    expect(
      requestBody({ ...upload, upload: undefined, body: z.object({ a: z.number() }) }, { a: 1 }),
    ).toEqual({
      type: 'application/json',
      data: '{"a":1}',
    });
  });

  it('splits one input into path parameters, query and body', async () => {
    const { fetch, sent } = fakeFetch(() => json(200, []));
    const client = new RestClient({ baseUrl: 'http://decentra.test', fetch });
    await client.sendMessage({ channelId: '5', content: 'hi', nonce: 'n1' });
    expect(sent[0]).toMatchObject({
      url: 'http://decentra.test/api/channels/5/messages',
      method: 'POST',
      body: JSON.stringify({ content: 'hi', nonce: 'n1' }),
    });
    expect(sent[0]?.headers.get('content-type')).toBe('application/json');
    await client.listMessages({ channelId: '5', before: '9', limit: 10 });
    expect(sent[1]).toMatchObject({
      url: 'http://decentra.test/api/channels/5/messages?before=9&limit=10',
      method: 'GET',
      body: undefined,
    });
    await client.searchUsers({ q: 'a b&c' });
    expect(sent[2]?.url).toBe('http://decentra.test/api/users/search?q=a+b%26c');
  });

  it('with validate: true, rejects an answer outside the contract; without, hands it over', async () => {
    const notAUser = { id: 'not-an-id', username: 42 };
    const { fetch } = fakeFetch(() => json(200, notAUser));
    const checked = new RestClient({ baseUrl: 'http://decentra.test', token: 't', fetch, validate: true });
    await expect(checked.me()).rejects.toBeInstanceOf(z.ZodError);
    const unchecked = new RestClient({ baseUrl: 'http://decentra.test', token: 't', fetch });
    expect(await unchecked.me()).toEqual(notAUser);
  });

  it('with validate: true, rejects an answer that carries a field the contract does not name', async () => {
    const user = { id: '1', username: 'ann', isAdmin: false, createdAt: '2026-01-01T00:00:00.000Z' };
    const leaky = fakeFetch(() =>
      json(200, [{ id: '1', username: 'ann', relationship: 'none', passwordHash: '$argon2id$…' }]),
    );
    const client = new RestClient({
      baseUrl: 'http://decentra.test',
      token: 't',
      fetch: leaky.fetch,
      validate: true,
    });
    await expect(client.searchUsers({ q: 'a' })).rejects.toThrow(/outside the contract: \[0\]\.passwordHash/);
    const exact = fakeFetch(() => json(200, user));
    const fine = new RestClient({
      baseUrl: 'http://decentra.test',
      token: 't',
      fetch: exact.fetch,
      validate: true,
    });
    expect(await fine.me()).toEqual(user);
  });

  it('reads a 503 that is not an error body (readiness) as unavailable, keeping the body', async () => {
    const down = { status: 'unavailable', database: 'down', bus: 'none' };
    const { fetch } = fakeFetch(() => json(503, down));
    const err = await new RestClient({ baseUrl: 'http://decentra.test', fetch })
      .ready()
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 503, code: 'unavailable', details: down });
  });

  it('makes ApiError from the contract’s error body: reason from details.reason, retryAfter from Retry-After', async () => {
    const { fetch } = fakeFetch(() =>
      json(
        429,
        { error: { code: 'rate_limited', message: 'Slow down.' } },
        {
          'retry-after': '7',
        },
      ),
    );
    const limited = await new RestClient({ baseUrl: 'http://decentra.test', fetch })
      .login({ username: 'a', password: 'b' })
      .catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(ApiError);
    expect(limited).toMatchObject({
      status: 429,
      code: 'rate_limited',
      message: 'Slow down.',
      retryAfter: 7,
    });
    expect((limited as ApiError).reason).toBeUndefined();

    const forbidden = fakeFetch(() =>
      json(403, { error: { code: 'forbidden', message: 'No.', details: { reason: 'csrf' } } }),
    );
    const csrf = await new RestClient({ baseUrl: 'http://decentra.test', fetch: forbidden.fetch })
      .createInvite()
      .catch((e: unknown) => e);
    expect(csrf).toMatchObject({ status: 403, code: 'forbidden', retryAfter: undefined });
    expect((csrf as ApiError).reason).toBe('csrf');
  });

  it('names a reason only when the contract knows it for that code', () => {
    expect(new ApiError(403, 'forbidden', 'x', { reason: 'used' }).reason).toBe('used');
    expect(new ApiError(409, 'conflict', 'x', { reason: 'already_friends' }).reason).toBe('already_friends');
    expect(new ApiError(403, 'forbidden', 'x', { reason: 'made_up' }).reason).toBeUndefined();
    expect(new ApiError(409, 'conflict', 'x', { reason: 'used' }).reason).toBeUndefined();
    expect(new ApiError(401, 'unauthorized', 'x', { reason: 'used' }).reason).toBeUndefined();
    expect(new ApiError(403, 'forbidden', 'x').reason).toBeUndefined();
  });

  it('turns an unreachable server into ApiError code network', async () => {
    const down = (async () => {
      throw new TypeError('fetch failed');
    }) as typeof fetch;
    const err = await new RestClient({ baseUrl: 'http://decentra.test', fetch: down })
      .health()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 0, code: 'network' });
  });
});
