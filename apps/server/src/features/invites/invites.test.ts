import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeUsers, type TestUser } from '../../../test/factories.js';
import { type Api, api } from '../../../test/http.js';
import { startTestServer, type TestServer } from '../../../test/test-server.js';
import { MAX_OPEN_SIGNUP_INVITES } from './invites.service.js';

let server: TestServer;
let http: Api;
let ann: TestUser;
let ben: TestUser;

beforeAll(async () => {
  server = await startTestServer();
  http = api(server.url);
  [ann, ben] = await makeUsers(http, ['ann', 'ben']);
});
afterAll(() => server.close());

describe('signup invites', () => {
  it('are single-use codes any member can make', async () => {
    const res = await http.post<{ code: string }>('/api/invites', undefined, { token: ben.token });
    expect(res.status).toBe(201);
    expect(res.body.code).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect((await http.post('/api/invites')).status).toBe(401);
  });

  it(`are capped at ${MAX_OPEN_SIGNUP_INVITES} unused per person; using one frees a slot`, async () => {
    const codes: string[] = [];
    for (let i = 0; i < MAX_OPEN_SIGNUP_INVITES; i++) {
      const res = await http.post<{ code: string }>('/api/invites', undefined, { token: ann.token });
      expect(res.status).toBe(201);
      codes.push(res.body.code);
    }
    const over = await http.post<{ error: { code: string; details: { reason: string } } }>(
      '/api/invites',
      undefined,
      {
        token: ann.token,
      },
    );
    expect(over.status).toBe(403);
    expect(over.body.error.details.reason).toBe('invite_limit');
    await http.post('/api/auth/signup', {
      username: 'joiner',
      password: 'password123',
      inviteCode: codes[0],
    });
    expect((await http.post('/api/invites', undefined, { token: ann.token })).status).toBe(201);
    // Someone else's allowance is their own.
    expect((await http.post('/api/invites', undefined, { token: ben.token })).status).toBe(201);
  });
});
