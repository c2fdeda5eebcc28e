import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../../../test/http.js';
import { people } from '../../../test/people.js';
import { startTestServer, type TestServer, type TestServerOptions } from '../../../test/test-server.js';

/**
 * The login and signup limits, seen from outside: who is refused and with what. The client's
 * address is set with X-Forwarded-For on servers that trust the test's own address (127.0.0.1)
 * as their proxy, which is what a reverse proxy in front of Decentra does.
 */

interface Answer {
  status: number;
  code: string | undefined;
  retryAfter: number | undefined;
}

interface From {
  /** X-Forwarded-For as the proxy would send it. */
  forwardedFor?: string;
}

const servers: TestServer[] = [];
afterAll(() => Promise.all(servers.map((s) => s.close())));

async function serve(options: TestServerOptions): Promise<TestServer> {
  const server = await startTestServer(options);
  servers.push(server);
  return server;
}

/** The proxy's own address, trusted to say who the client is. */
const PROXY: TestServerOptions['config'] = { trustProxy: ['127.0.0.1'] };

async function post(server: TestServer, path: string, body: unknown, from: From = {}): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (from.forwardedFor !== undefined) headers['x-forwarded-for'] = from.forwardedFor;
  const res = await api(server.url).post<{ error?: { code: string } }>(path, body, { headers });
  const retry = res.headers.get('retry-after');
  return {
    status: res.status,
    code: res.body.error?.code,
    retryAfter: retry === null ? undefined : Number(retry),
  };
}

const login = (server: TestServer, username: string, password: string, from?: From) =>
  post(server, '/api/auth/login', { username, password }, from);

const rotating = (i: number) => `198.18.${i >> 8}.${i & 255}`;

function expectRateLimited(answers: Answer[]): void {
  for (const a of answers) {
    expect(a).toMatchObject({ status: 429, code: 'rate_limited' });
    expect(a.retryAfter).toBeGreaterThan(0);
  }
}

describe('X-Forwarded-For', () => {
  const limits = { perUsername: 1000, perAddress: 3, windowSeconds: 60 };
  let untrusted: TestServer;
  let trusted: TestServer;

  beforeAll(async () => {
    [untrusted, trusted] = await Promise.all([
      // The test connects from 127.0.0.1, which this one does not trust.
      serve({ config: { trustProxy: ['10.0.0.0/8'] }, throttle: limits }),
      serve({ config: PROXY, throttle: limits }),
    ]);
    await people(untrusted.url, ['admin', 'fay']);
    await people(trusted.url, ['admin', 'fay', 'gus']);
  });

  it('from a peer that is not a trusted proxy changes nothing: rotating it still meets the limit', async () => {
    const answers: Answer[] = [];
    for (let i = 0; i < 20; i++) {
      answers.push(await login(untrusted, 'fay', `wrong-${i}`, { forwardedFor: rotating(i) }));
    }
    expect(answers.slice(0, 3).map((a) => a.status)).toEqual([401, 401, 401]);
    expectRateLimited(answers.slice(3));
  });

  it('through a trusted proxy names the client, and only the hop that proxy added counts', async () => {
    // What a client writes itself comes first; the proxy appends the address it saw.
    const forged: Answer[] = [];
    for (let i = 0; i < 10; i++) {
      forged.push(
        await login(trusted, 'fay', `wrong-${i}`, { forwardedFor: `${rotating(i)}, 198.51.100.30` }),
      );
    }
    expect(forged.slice(0, 3).map((a) => a.status)).toEqual([401, 401, 401]);
    expectRateLimited(forged.slice(3));
    // Real distinct clients behind the proxy each have their own allowance.
    const distinct: Answer[] = [];
    for (let i = 0; i < 6; i++) {
      distinct.push(await login(trusted, 'gus', `wrong-${i}`, { forwardedFor: rotating(i) }));
    }
    expect(distinct.map((a) => a.status)).toEqual(Array(6).fill(401));
  });
});
