import type { Channel, Server } from '@decentra/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { joinServer, makeServer, makeUsers, send, type TestUser } from '../../../test/factories.js';
import { type Api, api } from '../../../test/http.js';
import { startTestServer, type TestServer } from '../../../test/test-server.js';
import { TestSocket } from '../../../test/ws-client.js';

let server: TestServer;
let http: Api;
let owner: TestUser;
let ann: TestUser;
let stranger: TestUser;
let guild: Server;

beforeAll(async () => {
  server = await startTestServer();
  http = api(server.url);
  [owner, ann, stranger] = await makeUsers(http, ['owner', 'ann', 'stranger']);
  guild = await makeServer(http, owner, 'Channels');
  await joinServer(http, guild, owner, [ann]);
});
afterAll(() => server.close());

describe('channels', () => {
  it('are created, renamed and deleted live for every member, and nobody else', async () => {
    const a = await TestSocket.identified(server.wsUrl, ann.token);
    const s = await TestSocket.identified(server.wsUrl, stranger.token);
    const created = await http.post<Channel>(
      `/api/servers/${guild.id}/channels`,
      { name: '  lounge  ', type: 'voice' },
      { token: owner.token },
    );
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ serverId: guild.id, type: 'voice', name: 'lounge' });
    expect((await a.socket.next((f) => f.t === 'channel_create')).d).toEqual(created.body);

    const renamed = await http.patch<Channel>(
      `/api/channels/${created.body.id}`,
      { name: 'Lounge 2' },
      { token: owner.token },
    );
    expect(renamed.body.name).toBe('Lounge 2');
    expect((await a.socket.next((f) => f.t === 'channel_update')).d).toEqual(renamed.body);

    expect((await http.delete(`/api/channels/${created.body.id}`, { token: owner.token })).status).toBe(204);
    expect((await a.socket.next((f) => f.t === 'channel_delete')).d).toEqual({
      id: created.body.id,
      serverId: guild.id,
    });
    const after = await http.get<Server>(`/api/servers/${guild.id}`, { token: ann.token });
    expect(after.body.channels.map((c) => c.id)).not.toContain(created.body.id);
    expect(s.socket.events()).toHaveLength(0);
    a.socket.close();
    s.socket.close();
  });

  it('take names of 1–100 characters after trimming, and only text or voice', async () => {
    for (const body of [
      { name: ' ', type: 'text' },
      { name: 'x'.repeat(101), type: 'text' },
      { name: 'dm', type: 'dm' },
      { name: 'x' },
    ]) {
      expect(
        (await http.post(`/api/servers/${guild.id}/channels`, body, { token: owner.token })).status,
      ).toBe(400);
    }
    expect(
      (
        await http.post(
          `/api/servers/${guild.id}/channels`,
          { name: 'x'.repeat(100), type: 'text' },
          { token: owner.token },
        )
      ).status,
    ).toBe(201);
  });

  it('take their messages with them', async () => {
    const c = await http.post<Channel>(
      `/api/servers/${guild.id}/channels`,
      { name: 'temp', type: 'text' },
      { token: owner.token },
    );
    await send(http, ann, c.body.id, 'soon gone');
    await http.delete(`/api/channels/${c.body.id}`, { token: owner.token });
    expect((await http.get(`/api/channels/${c.body.id}/messages`, { token: ann.token })).status).toBe(404);
  });
});
