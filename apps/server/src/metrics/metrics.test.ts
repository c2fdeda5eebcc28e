import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Person, people, serverWith, textChannelOf } from '../../test/people.js';
import { createTestDatabase, ENGINE } from '../../test/test-db.js';
import { startTestServer, type TestServer } from '../../test/test-server.js';
import { TestSocket } from '../../test/ws-client.js';

const TOKEN = 'metrics-token-0123456789';

/** One sample's value from Prometheus text: `name{labels} value`. */
function sample(text: string, name: string, labels = ''): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `));
  if (line === undefined) throw new Error(`no sample ${name}${labels} in:\n${text}`);
  return Number(line.slice(line.lastIndexOf(' ') + 1));
}

async function scrape(url: string, token?: string): Promise<{ status: number; type: string; text: string }> {
  const res = await fetch(url, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
}

async function until(condition: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('/metrics is off by default', () => {
  it('answers 404 on the main port, as any unknown path', async () => {
    const server = await startTestServer();
    try {
      const res = await scrape(`${server.url}/metrics`);
      expect(res.status).toBe(404);
      expect(JSON.parse(res.text)).toMatchObject({ error: { code: 'not_found' } });
      expect(server.app.metricsUrl).toBeUndefined();
    } finally {
      await server.close();
    }
  });
});

describe('/metrics with a token, on the main port', () => {
  let server: TestServer;
  let ann: Person;
  let channelId: string;
  const metrics = () => scrape(`${server.url}/metrics`, TOKEN);

  beforeAll(async () => {
    server = await startTestServer({ config: { metrics: { token: TOKEN, listen: undefined } } });
    [ann] = await people(server.url, ['ann']);
    channelId = textChannelOf(await serverWith(ann, 'Measured'));
  });
  afterAll(() => server.close());

  it('refuses a scrape without the token or with another one, in the error shape', async () => {
    for (const token of [undefined, 'wrong-token-0123456789', `${TOKEN}x`, TOKEN.slice(0, -1)]) {
      const res = await scrape(`${server.url}/metrics`, token);
      expect(res.status, String(token)).toBe(401);
      expect(JSON.parse(res.text)).toMatchObject({ error: { code: 'unauthorized' } });
    }
    // A login session is not the metrics token.
    expect((await scrape(`${server.url}/metrics`, ann.token)).status).toBe(401);
  });

  it('answers Prometheus text with the token; the counters move with an identify and a message', async () => {
    const before = await metrics();
    expect(before.status).toBe(200);
    expect(before.type).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(before.text).toContain('nodejs_eventloop_lag_p99_seconds');
    const identifies = sample(before.text, 'decentra_gateway_identifies_total');
    const dispatched = sample(before.text, 'decentra_gateway_events_dispatched_total');
    const commits = sample(before.text, 'decentra_group_commit_messages_count');
    const queries = sample(before.text, 'decentra_db_query_seconds_count');

    const { socket } = await TestSocket.identified(server.wsUrl, ann.token);
    await ann.rest.sendMessage({ channelId, content: 'counted' });
    await socket.nextEvent('message_create');

    const after = (await metrics()).text;
    expect(sample(after, 'decentra_gateway_sockets')).toBe(1);
    expect(sample(after, 'decentra_gateway_identifies_total')).toBe(identifies + 1);
    expect(sample(after, 'decentra_gateway_events_dispatched_total')).toBeGreaterThanOrEqual(dispatched + 1);
    expect(sample(after, 'decentra_group_commit_messages_count')).toBe(commits + 1);
    expect(sample(after, 'decentra_group_commit_messages_sum')).toBeGreaterThanOrEqual(1);
    expect(sample(after, 'decentra_db_query_seconds_count')).toBeGreaterThan(queries);
    socket.close();
    await socket.closed;
    await until(async () => sample((await metrics()).text, 'decentra_gateway_sockets') === 0);
  });

  it('counts resumes by outcome', async () => {
    const at = async (outcome: string) =>
      sample((await metrics()).text, 'decentra_gateway_resumes_total', `{outcome="${outcome}"}`);
    const [resumed, invalid] = [await at('resumed'), await at('invalid_session')];
    const { socket, ready } = await TestSocket.identified(server.wsUrl, ann.token);
    socket.ws.terminate();
    await until(async () => server.app.gateway.connectionCount === 0);
    const again = await TestSocket.open(server.wsUrl);
    again.send({ op: 'resume', d: { token: ann.token, sessionId: ready.sessionId, seq: 0 } });
    await again.next((f) => f.op === 'resumed');
    const stranger = await TestSocket.open(server.wsUrl);
    stranger.send({ op: 'resume', d: { token: ann.token, sessionId: 'no-such-session', seq: 0 } });
    await stranger.next((f) => f.op === 'invalid_session');
    expect(await at('resumed')).toBe(resumed + 1);
    expect(await at('invalid_session')).toBe(invalid + 1);
    again.close();
    stranger.close();
  });
});

describe('/metrics on a separate listener', () => {
  it('serves it there, plain HTTP with no token needed, and not on the main port', async () => {
    const server = await startTestServer({
      config: { metrics: { token: undefined, listen: { host: '127.0.0.1', port: 0 } } },
    });
    try {
      const url = server.app.metricsUrl;
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      const res = await scrape(url ?? '');
      expect(res.status).toBe(200);
      expect(res.text).toContain('decentra_gateway_sockets 0');
      expect((await scrape((url ?? '').replace('/metrics', '/'))).status).toBe(404);
      expect((await scrape(`${server.url}/metrics`)).status).toBe(404);
    } finally {
      await server.close();
    }
  });

  it('asks for the token there too when one is set', async () => {
    const server = await startTestServer({
      config: { metrics: { token: TOKEN, listen: { host: '127.0.0.1', port: 0 } } },
    });
    try {
      const url = server.app.metricsUrl ?? '';
      expect((await scrape(url)).status).toBe(401);
      expect((await scrape(url, TOKEN)).status).toBe(200);
      expect((await scrape(`${server.url}/metrics`, TOKEN)).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

describe.runIf(ENGINE === 'postgres')('/metrics behind Redis', () => {
  it('measures the bus lag of what the other instance published', async () => {
    const db = await createTestDatabase();
    const config = { redisUrl: REDIS_URL, metrics: { token: TOKEN, listen: undefined } };
    const a = await startTestServer({ db, config });
    const b = await startTestServer({ db, config });
    try {
      const lagged = async () =>
        sample((await scrape(`${b.url}/metrics`, TOKEN)).text, 'decentra_bus_lag_seconds_count');
      const before = await lagged();
      const [ann] = await people(a.url, ['ann']);
      await serverWith(ann, 'Across');
      await until(async () => (await lagged()) > before);
    } finally {
      await b.close({ keepData: true });
      await a.close();
    }
  });
});
