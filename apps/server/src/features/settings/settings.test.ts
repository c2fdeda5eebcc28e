import { DEFAULT_USER_SETTINGS, type UserSettings } from '@decentra/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../../../test/http.js';
import { type Person, people } from '../../../test/people.js';
import { startTestServer, type TestServer } from '../../../test/test-server.js';
import { TestSocket } from '../../../test/ws-client.js';

let server: TestServer;
let ann: Person;
let ben: Person;

beforeAll(async () => {
  server = await startTestServer();
  [ann, ben] = await people(server.url, ['ann', 'ben']);
});
afterAll(() => server.close());

const quiet: UserSettings = {
  notifications: {
    enabled: true,
    sounds: false,
    mode: 'mentions',
    messageSound: 'chime',
    callSound: 'bell',
    volume: 60,
  },
};

describe('user settings', () => {
  it('start at the defaults, are saved per user and come back in ready', async () => {
    expect(await ann.rest.getSettings()).toEqual(DEFAULT_USER_SETTINGS);
    expect(await ann.rest.putSettings(quiet)).toEqual(quiet);
    expect(await ann.rest.getSettings()).toEqual(quiet);
    expect(await ben.rest.getSettings()).toEqual(DEFAULT_USER_SETTINGS);
    const { socket, ready } = await TestSocket.identified(server.wsUrl, ann.token);
    expect(ready.settings).toEqual(quiet);
    socket.close();
  });

  it('refuse partial, unknown or out-of-range values and keep what was saved', async () => {
    // Bodies the SDK's types would not let through: sent raw.
    const raw = api(server.url);
    for (const body of [
      { notifications: { ...quiet.notifications, mode: 'loud' } },
      { notifications: { enabled: true } },
      { notifications: { ...quiet.notifications, messageSound: 'https://evil/sound.mp3' } },
      { ...quiet, theme: 'dark' },
    ]) {
      expect((await raw.put('/api/users/@me/settings', body, { token: ann.token })).status).toBe(400);
    }
    expect(await ann.rest.getSettings()).toEqual(quiet);
  });
});
