import { AccountExportSchema } from '@decentra/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../../../test/http.js';
import {
  befriend,
  type Person,
  people,
  refused,
  restClient,
  serverWith,
  textChannelOf,
} from '../../../test/people.js';
import { startTestServer, type TestServer } from '../../../test/test-server.js';

let server: TestServer;
let ann: Person;
let ben: Person;
let cat: Person;

beforeAll(async () => {
  server = await startTestServer();
  [ann, ben, cat] = await people(server.url, ['ann', 'ben', 'cat']);
});
afterAll(() => server.close());

describe('GET /api/users/@me/export', () => {
  it('holds everything about me and nothing of anyone else’s', async () => {
    const club = await serverWith(ann, 'Club', [ben]);
    const theirs = await serverWith(cat, 'Cats', [ann]);
    await befriend(ann, ben);
    const dm = await ann.rest.openDm({ userId: ben.id });
    const general = textChannelOf(club);
    const first = await ann.rest.sendMessage({ channelId: general, content: 'hello club' });
    await ben.rest.sendMessage({ channelId: general, content: 'ben speaks' });
    await ann.rest.editMessage({ channelId: general, messageId: first.id, content: 'hello, club' });
    await ann.rest.sendMessage({ channelId: dm.id, content: 'psst ben' });
    await ann.rest.sendMessage({ channelId: textChannelOf(theirs), content: 'meow' });

    const res = await api(server.url).get('/api/users/@me/export', { token: ann.token });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toMatch(
      /^attachment; filename="decentra-ann-\d{4}-\d{2}-\d{2}\.json"$/,
    );
    const data = AccountExportSchema.parse(res.body);
    expect(data.user).toMatchObject({ id: ann.id, username: 'ann' });
    expect(data.servers.map((s) => [s.name, s.owner])).toEqual([
      ['Club', true],
      ['Cats', false],
    ]);
    expect(data.friends.map((f) => f.user)).toEqual([{ id: ben.id, username: 'ben' }]);
    expect(data.dms).toEqual([{ channelId: dm.id, with: { id: ben.id, username: 'ben' } }]);
    expect(data.messages.map((m) => [m.content, m.channelName, m.serverId ?? 'dm'])).toEqual([
      ['hello, club', 'general', club.id],
      ['psst ben', expect.any(String), 'dm'],
      ['meow', 'general', theirs.id],
    ]);
    expect(data.messages[0]?.editedAt).toBeDefined();
    expect(JSON.stringify(data)).not.toContain('ben speaks');
    expect(data.sessions.some((s) => s.current)).toBe(true);
    expect(data.settings.notifications.mode).toBe('all');
  });

  it('is mine only, and at most twice a minute', async () => {
    expect((await refused(restClient(server.url).exportAccount())).status).toBe(401);
    // The first test spent one of ann's; ben has two.
    await ben.rest.exportAccount();
    await ben.rest.exportAccount();
    const limited = await refused(ben.rest.exportAccount());
    expect(limited).toMatchObject({ status: 429, code: 'rate_limited' });
    expect(limited.retryAfter).toBeGreaterThan(0);
  });
});
