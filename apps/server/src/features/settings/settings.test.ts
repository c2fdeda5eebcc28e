import { DEFAULT_USER_SETTINGS, type UserSettings } from '@decentra/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeUsers, type TestUser } from '../../../test/factories.js';
import { type Api, api } from '../../../test/http.js';
import { startTestServer, type TestServer } from '../../../test/test-server.js';
import { TestSocket } from '../../../test/ws-client.js';

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

const quiet: UserSettings = {
  notifications: { enabled: true, sounds: false, mode: 'mentions', messageSound: 'chime', callSound: 'bell' },
};

describe('user settings', () => {
  it('start at the defaults, are saved per user and come back in ready', async () => {
    expect((await http.get('/api/users/@me/settings', { token: ann.token })).body).toEqual(
      DEFAULT_USER_SETTINGS,
    );
    const saved = await http.put<UserSettings>('/api/users/@me/settings', quiet, { token: ann.token });
    expect(saved.status).toBe(200);
    expect(saved.body).toEqual(quiet);
    expect((await http.get('/api/users/@me/settings', { token: ann.token })).body).toEqual(quiet);
    expect((await http.get('/api/users/@me/settings', { token: ben.token })).body).toEqual(
      DEFAULT_USER_SETTINGS,
    );
    const { socket, ready } = await TestSocket.identified(server.wsUrl, ann.token);
    expect(ready.settings).toEqual(quiet);
    socket.close();
  });

  it('refuse partial, unknown or out-of-range values and keep what was saved', async () => {
    for (const body of [
      { notifications: { ...quiet.notifications, mode: 'loud' } },
      { notifications: { enabled: true } },
      { notifications: { ...quiet.notifications, messageSound: 'https://evil/sound.mp3' } },
      { ...quiet, theme: 'dark' },
    ]) {
      expect((await http.put('/api/users/@me/settings', body, { token: ann.token })).status).toBe(400);
    }
    expect((await http.get('/api/users/@me/settings', { token: ann.token })).body).toEqual(quiet);
  });
});
