import { HealthSchema } from '@decentra/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../../../test/http.js';
import { refused, restClient } from '../../../test/people.js';
import { startTestServer, type TestServer } from '../../../test/test-server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

describe('GET /healthz', () => {
  it('is 200 while the database answers', async () => {
    expect(await restClient(server.url).health()).toEqual({ status: 'ok', database: 'ok' });
  });

  it('is 503 once the database is gone', async () => {
    await server.app.storage.close();
    // The SDK sees a refusal with the status; the 503 body (not an error body) it cannot show.
    expect((await refused(restClient(server.url).health())).status).toBe(503);
    const res = await api(server.url).get('/healthz');
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ status: 'unavailable', database: 'down' });
    expect(HealthSchema.safeParse(res.body).success).toBe(true);
  });
});
