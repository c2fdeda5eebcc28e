import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../apps/server/test/test-server.js';
import { ApiError, RestClient } from './rest.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

describe('RestClient against a real server', () => {
  it('signs up, invites, logs in and out', async () => {
    const admin = new RestClient({ baseUrl: server.url });
    const { user } = await admin.signup({ username: 'sdkadmin', password: 'password123' });
    expect(user.isAdmin).toBe(true);
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
});
