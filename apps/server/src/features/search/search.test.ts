import type { Message, SearchResults, Server } from '@decentra/protocol';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { befriend, type Person, people, refused, serverWith, textChannelOf } from '../../../test/people.js';
import { startTestServer, type TestServer } from '../../../test/test-server.js';
import { ID_EPOCH_MS } from '../../infra/ids.js';

let server: TestServer;
let owner: Person;
let ann: Person;
let ben: Person;
let stranger: Person;
let guild: Server;
let general: string;
let random: string;
let dm: string;

const contents = (r: SearchResults) => r.results.map((x) => x.message.content);
const send = (p: Person, channelId: string, content: string): Promise<Message> =>
  p.rest.sendMessage({ channelId, content });
const searchServer = (p: Person, q: string, more: { cursor?: string; limit?: number } = {}) =>
  p.rest.searchServerMessages({ serverId: guild.id, q, ...more });

beforeAll(async () => {
  server = await startTestServer({ sendLimits: { points: 1000, windowSeconds: 5 } });
  [owner, ann, ben, stranger] = await people(server.url, ['owner', 'ann', 'ben', 'stranger']);
  guild = await serverWith(owner, 'Search', [ann, ben]);
  general = textChannelOf(guild);
  random = (await owner.rest.createChannel({ serverId: guild.id, name: 'random', type: 'text' })).id;
  await send(ann, general, 'The quick brown fox jumps');
  await send(ben, general, 'a lazy dog sleeps, see https://example.com/dogs');
  await send(ann, random, 'Look at this fox https://img.example.com/fox.PNG?size=2');
  await send(owner, random, 'nothing to see here');
  await befriend(ann, stranger);
  dm = (await ann.rest.openDm({ userId: stranger.id })).id;
  await send(ann, dm, 'a secret fox in a DM');
});
afterAll(() => server.close());

describe('server search', () => {
  it('finds words in every channel of the server, newest first, with the channel', async () => {
    const r = await searchServer(ben, 'FOX');
    expect(contents(r)).toEqual([
      'Look at this fox https://img.example.com/fox.PNG?size=2',
      'The quick brown fox jumps',
    ]);
    expect(r.results.map((x) => x.channel)).toEqual([
      { id: random, serverId: guild.id, type: 'text', name: 'random' },
      { id: general, serverId: guild.id, type: 'text', name: 'general' },
    ]);
    expect(r.results[0]?.message.author.username).toBe('ann');
    expect(r.next).toBeNull();
  });

  it('reads phrases, several words and excluded words', async () => {
    expect(contents(await searchServer(ann, '"quick brown"'))).toEqual(['The quick brown fox jumps']);
    expect(contents(await searchServer(ann, '"brown quick"'))).toEqual([]);
    expect(contents(await searchServer(ann, 'fox -quick'))).toHaveLength(1);
    expect(contents(await searchServer(ann, 'lazy sleeps'))).toHaveLength(1);
  });

  it('filters by from:, in:, has:link and has:image', async () => {
    expect(contents(await searchServer(ann, 'from:ann fox'))).toHaveLength(2);
    expect(contents(await searchServer(ann, 'from:@BEN'))).toEqual([
      'a lazy dog sleeps, see https://example.com/dogs',
    ]);
    expect(contents(await searchServer(ann, 'fox in:#general'))).toEqual(['The quick brown fox jumps']);
    expect(contents(await searchServer(ann, 'has:link'))).toHaveLength(2);
    expect(contents(await searchServer(ann, 'has:image'))).toEqual([
      'Look at this fox https://img.example.com/fox.PNG?size=2',
    ]);
    // A name nobody has matches nothing (it is not an error: anyone may have had it).
    expect(await searchServer(ann, 'from:nobody fox')).toEqual({ results: [], next: null });
  });

  it('filters by day with before: and after: (UTC, the day itself left out)', async () => {
    const db = server.app.storage.db;
    const idOn = (iso: string) => BigInt(Date.parse(iso) - ID_EPOCH_MS) << 22n;
    await db.execute(sql`insert into messages (id, channel_id, author_id, content, created_at) values
      (${idOn('2025-03-01T12:00:00Z')}, ${BigInt(general)}, ${BigInt(ann.id)}, 'vintage march', '2025-03-01T12:00:00Z'),
      (${idOn('2025-03-02T12:00:00Z')}, ${BigInt(general)}, ${BigInt(ann.id)}, 'vintage april', '2025-03-02T12:00:00Z'),
      (${idOn('2025-03-03T12:00:00Z')}, ${BigInt(general)}, ${BigInt(ann.id)}, 'vintage may', '2025-03-03T12:00:00Z')`);
    expect(contents(await searchServer(ann, 'vintage before:2025-03-02'))).toEqual(['vintage march']);
    expect(contents(await searchServer(ann, 'vintage after:2025-03-02'))).toEqual(['vintage may']);
    expect(contents(await searchServer(ann, 'after:2025-03-01 before:2025-03-03'))).toEqual([
      'vintage april',
    ]);
    // A page is read in windows back in time (a day, 30 days, the rest): matches today and
    // long ago come in one page, in order, and the cursor goes on from there.
    await send(ben, random, 'vintage today');
    const first = await searchServer(ann, 'vintage', { limit: 3 });
    expect(contents(first)).toEqual(['vintage today', 'vintage may', 'vintage april']);
    const second = await searchServer(ann, 'vintage', { limit: 3, cursor: first.next ?? '' });
    expect(second).toMatchObject({ next: null });
    expect(contents(second)).toEqual(['vintage march']);
  });

  it('pages with the cursor, newest first, until next is null', async () => {
    const channelId = (await owner.rest.createChannel({ serverId: guild.id, name: 'paging', type: 'text' }))
      .id;
    for (let i = 0; i < 7; i++) await send(ben, channelId, `pageword number ${i}`);
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 3; page++) {
      const r = await searchServer(ann, 'pageword', { limit: 3, ...(cursor ? { cursor } : {}) });
      expect(r.results.length).toBe(r.next === null ? 1 : 3);
      seen.push(...contents(r));
      if (r.next === null) break;
      cursor = r.next;
    }
    expect(seen).toEqual([6, 5, 4, 3, 2, 1, 0].map((i) => `pageword number ${i}`));
  });

  it('finds nothing for who may not read: a non-member is told the server does not exist', async () => {
    expect((await refused(searchServer(stranger, 'fox'))).status).toBe(404);
    // A member of another server finds nothing of this one from there.
    const other = await serverWith(stranger, 'Elsewhere');
    const r = await stranger.rest.searchServerMessages({ serverId: other.id, q: 'fox' });
    expect(r.results).toEqual([]);
    // DMs are not part of a server's search.
    expect(contents(await searchServer(ann, 'secret'))).toEqual([]);
  });

  it('answers a clear invalid_input for bad filters, and changes nothing', async () => {
    const cases: Array<[string, string]> = [
      ['has:video', 'has: takes link or image.'],
      ['before:2025-13-01', 'before: takes a date as YYYY-MM-DD.'],
      ['after:yesterday', 'after: takes a date as YYYY-MM-DD.'],
      ['from:', 'from: needs a value'],
      ['from:ann from:ben', 'Only one from: filter at a time.'],
      ['after:2025-03-05 before:2025-03-01', 'after: must be an earlier day than before:.'],
      ['   ', 'must not be empty'],
      ['?!', 'Type a word to search for, or a filter.'],
    ];
    for (const [q, words] of cases) {
      const err = await refused(searchServer(ann, q));
      expect(err.code).toBe('invalid_input');
      expect(err.message).toContain(words);
    }
    const err = await refused(searchServer(ann, 'fox in:nowhere'));
    expect(err.code).toBe('invalid_input');
    expect(err.message).toContain('no text channel named #nowhere');
    expect((await refused(searchServer(ann, 'x'.repeat(501)))).code).toBe('invalid_input');
  });
});

describe('channel search (DMs)', () => {
  it('finds the DM messages for its two ends only', async () => {
    const mine = await ann.rest.searchChannelMessages({ channelId: dm, q: 'fox' });
    expect(contents(mine)).toEqual(['a secret fox in a DM']);
    expect(mine.results[0]?.channel).toMatchObject({ id: dm, serverId: null, type: 'dm' });
    expect(contents(await stranger.rest.searchChannelMessages({ channelId: dm, q: 'secret' }))).toHaveLength(
      1,
    );
    expect((await refused(ben.rest.searchChannelMessages({ channelId: dm, q: 'secret' }))).status).toBe(404);
    expect((await refused(owner.rest.searchChannelMessages({ channelId: dm, q: 'fox' }))).status).toBe(404);
  });

  it('searches one server channel for its members, and refuses in: there', async () => {
    expect(contents(await ben.rest.searchChannelMessages({ channelId: general, q: 'fox' }))).toEqual([
      'The quick brown fox jumps',
    ]);
    expect(
      (await refused(stranger.rest.searchChannelMessages({ channelId: general, q: 'fox' }))).status,
    ).toBe(404);
    expect(
      (await refused(ben.rest.searchChannelMessages({ channelId: general, q: 'fox in:random' }))).code,
    ).toBe('invalid_input');
  });

  it('keeps the lexemes in step with an edit', async () => {
    const m = await send(ann, dm, 'before the edit: walrus');
    await ann.rest.editMessage({ channelId: dm, messageId: m.id, content: 'after the edit: narwhal' });
    expect(contents(await ann.rest.searchChannelMessages({ channelId: dm, q: 'walrus' }))).toEqual([]);
    expect(contents(await ann.rest.searchChannelMessages({ channelId: dm, q: 'narwhal' }))).toHaveLength(1);
  });
});

describe('history around a message', () => {
  it('answers half the page before it, then it and after it, oldest first', async () => {
    const channelId = (await owner.rest.createChannel({ serverId: guild.id, name: 'around', type: 'text' }))
      .id;
    const sent: Message[] = [];
    for (let i = 0; i < 20; i++) sent.push(await send(ann, channelId, `m${i}`));
    const target = sent[10];
    if (!target) throw new Error('no message');
    const page = await ann.rest.listMessages({ channelId, around: target.id, limit: 6 });
    expect(page.map((m) => m.content)).toEqual(['m7', 'm8', 'm9', 'm10', 'm11', 'm12']);
    const atStart = await ann.rest.listMessages({ channelId, around: sent[1]?.id ?? '', limit: 6 });
    expect(atStart.map((m) => m.content)).toEqual(['m0', 'm1', 'm2', 'm3']);
    const atEnd = await ann.rest.listMessages({ channelId, around: sent[19]?.id ?? '', limit: 6 });
    expect(atEnd.map((m) => m.content)).toEqual(['m16', 'm17', 'm18', 'm19']);
    expect(
      (await refused(ann.rest.listMessages({ channelId, around: target.id, before: target.id }))).code,
    ).toBe('invalid_input');
    expect((await refused(stranger.rest.listMessages({ channelId, around: target.id }))).status).toBe(404);
  });
});
