import type { Channel, Server } from '@decentra/protocol';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settled } from '../../../test/barriers.js';
import { api } from '../../../test/http.js';
import { type Person, people, refused, serverWith } from '../../../test/people.js';
import { startTestServer, type TestServer } from '../../../test/test-server.js';
import { TestSocket } from '../../../test/ws-client.js';
import { executeRows } from '../../storage/db.js';

let server: TestServer;
let owner: Person;
let ann: Person;
let stranger: Person;
let guild: Server;

beforeAll(async () => {
  server = await startTestServer();
  [owner, ann, stranger] = await people(server.url, ['owner', 'ann', 'stranger']);
  guild = await serverWith(owner, 'Channels', [ann]);
});
afterAll(() => server.close());

describe("a channel's life, live for every member and nobody else", () => {
  let member: TestSocket;
  let outsider: TestSocket;
  let created: Channel;

  beforeAll(async () => {
    member = (await TestSocket.identified(server.wsUrl, ann.token)).socket;
    outsider = (await TestSocket.identified(server.wsUrl, stranger.token)).socket;
  });
  afterAll(() => {
    member.close();
    outsider.close();
  });

  it('is created with a trimmed name; members hear channel_create', async () => {
    created = await owner.rest.createChannel({ serverId: guild.id, name: '  lounge  ', type: 'voice' });
    expect(created).toMatchObject({ serverId: guild.id, type: 'voice', name: 'lounge' });
    expect((await member.nextEvent('channel_create')).d).toEqual(created);
  });

  it('is renamed; members hear channel_update', async () => {
    const renamed = await owner.rest.renameChannel({ channelId: created.id, name: 'Lounge 2' });
    expect(renamed.name).toBe('Lounge 2');
    expect((await member.nextEvent('channel_update')).d).toEqual(renamed);
  });

  it('is deleted; members hear channel_delete, and the server no longer lists it', async () => {
    await owner.rest.deleteChannel({ channelId: created.id });
    expect((await member.nextEvent('channel_delete')).d).toEqual({ id: created.id, serverId: guild.id });
    const after = await ann.rest.getServer({ serverId: guild.id });
    expect(after.channels.map((c) => c.id)).not.toContain(created.id);
  });

  it('is never heard of by a stranger', async () => {
    // Every event above went out before its call was answered: had one gone to the stranger, it is here.
    await settled(outsider);
    expect(outsider.events()).toHaveLength(0);
  });
});

describe('channels', () => {
  it('take names of 1–100 characters after trimming, and only text or voice', async () => {
    for (const name of [' ', 'x'.repeat(101)]) {
      const err = await refused(owner.rest.createChannel({ serverId: guild.id, name, type: 'text' }));
      expect(err.status).toBe(400);
    }
    // A type the contract does not have, and a missing one: the SDK's types cannot send these.
    for (const body of [{ name: 'dm', type: 'dm' }, { name: 'x' }]) {
      const res = await api(server.url).post(`/api/servers/${guild.id}/channels`, body, {
        token: owner.token,
      });
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    const longest = await owner.rest.createChannel({
      serverId: guild.id,
      name: 'x'.repeat(100),
      type: 'text',
    });
    expect(longest.name).toBe('x'.repeat(100));
  });

  it('take their messages with them', async () => {
    const c = await owner.rest.createChannel({ serverId: guild.id, name: 'temp', type: 'text' });
    await ann.rest.sendMessage({ channelId: c.id, content: 'soon gone' });
    await owner.rest.deleteChannel({ channelId: c.id });
    expect((await refused(ann.rest.listMessages({ channelId: c.id }))).status).toBe(404);
    const [left] = await executeRows<{ n: number }>(
      server.app.storage.db,
      sql`select count(*)::int as n from messages where channel_id = ${BigInt(c.id)}`,
    );
    expect(Number(left?.n)).toBe(0);
  });
});
