import { RestClient } from '@decentra/client';
import { ROUTE_NAMES, ROUTES } from '@decentra/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { api } from '../../test/http.js';
import { startTestServer, type TestServer } from '../../test/test-server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

/** `METHOD /path/{param}` as the OpenAPI document writes an operation. */
const key = (method: string, path: string) =>
  `${method.toUpperCase()} ${path.replace(/:([A-Za-z]+)/g, '{$1}')}`;

describe('the route contract', () => {
  it('is exactly what the server serves: every operation of the OpenAPI document is a contract route, and back', async () => {
    const doc = (
      await api(server.url).get<{ paths: Record<string, Record<string, { operationId?: string }>> }>(
        '/api/openapi.json',
      )
    ).body;
    const served = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => `${key(method, path)} ${op.operationId}`),
    );
    const contract = ROUTE_NAMES.map((name) => `${key(ROUTES[name].method, ROUTES[name].path)} ${name}`);
    expect(served.sort()).toEqual(contract.sort());
  });

  it('has a client method for every operation', () => {
    const client = new RestClient({ baseUrl: server.url });
    const missing = ROUTE_NAMES.filter((name) => typeof client[name] !== 'function');
    expect(missing).toEqual([]);
  });

  it('never uses one name twice among a route’s path parameters, query and body (the client merges them)', () => {
    for (const name of ROUTE_NAMES) {
      const spec = ROUTES[name];
      const fromPath = (spec.path.match(/:[A-Za-z]+/g) ?? []).map((p) => p.slice(1));
      const fromQuery = Object.keys('query' in spec ? spec.query.shape : {});
      let body: unknown = 'body' in spec ? spec.body : undefined;
      while (body instanceof z.ZodOptional || body instanceof z.ZodNullable) body = body.unwrap();
      const fromBody = Object.keys(body instanceof z.ZodObject ? body.shape : {});
      const all = [...fromPath, ...fromQuery, ...fromBody];
      expect(new Set(all).size, name).toBe(all.length);
      const declared = Object.keys('params' in spec ? spec.params.shape : {});
      expect(declared.sort(), `${name}: path and params schema`).toEqual(fromPath.sort());
    }
  });
});
