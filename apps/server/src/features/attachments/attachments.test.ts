import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  type Attachment,
  CSRF_HEADER,
  CSRF_HEADER_VALUE,
  SESSION_COOKIE,
  type Server,
} from '@decentra/protocol';
import { sql } from 'drizzle-orm';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postHeadersOnly } from '../../../test/headers-only.js';
import { ManualClock } from '../../../test/manual-clock.js';
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
import { TestSocket } from '../../../test/ws-client.js';
import { executeRows } from '../../storage/db.js';
import { animatedGif, mp4, photoWithGps, png, text } from './test-files.js';

let server: TestServer;
let clock: ManualClock;
let owner: Person;
let ann: Person;
let stranger: Person;
let guild: Server;
let channelId: string;

beforeAll(async () => {
  clock = new ManualClock();
  server = await startTestServer({ clock, sendLimits: { points: 1000, windowSeconds: 5 } });
  [owner, ann, stranger] = await people(server.url, ['owner', 'ann', 'stranger']);
  guild = await serverWith(owner, 'Files', [ann]);
  channelId = textChannelOf(guild);
});
afterAll(() => server.close());

const upload = (p: Person, body: Uint8Array, filename = 'file.bin', channel = channelId) =>
  p.rest.uploadAttachment({ channelId: channel, filename, body });

/** A GET of a path on the server as anyone (no session), or with someone's session cookie. */
async function fetchAs(path: string, who?: Person, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${server.url}${path}`, {
    headers: { ...headers, ...(who ? { cookie: `${SESSION_COOKIE}=${who.token}` } : {}) },
  });
}
const bytesOf = async (res: Response) => new Uint8Array(await res.arrayBuffer());
const unsigned = (url: string) => url.split('?')[0] ?? url;

async function count(table: 'blobs' | 'attachments'): Promise<number> {
  const [row] = await executeRows<{ n: number }>(
    server.app.storage.db,
    sql`select count(*)::int as n from ${sql.identifier(table)}`,
  );
  return row?.n ?? 0;
}
const storedFiles = (dataDir: string) => {
  const root = join(dataDir, 'files');
  if (!existsSync(root)) return 0;
  return readdirSync(root, { recursive: true, withFileTypes: true }).filter(
    (e) => e.isFile() && /^[0-9a-f]{64}$/.test(e.name),
  ).length;
};

describe('an image upload', () => {
  it('is typed from its bytes, turned upright, stripped of EXIF and GPS, and gets a preview', async () => {
    const photo = await photoWithGps(64, 48);
    expect((await sharp(photo).metadata()).exif).toBeDefined();
    const a = await upload(owner, photo, 'holiday.txt');
    expect(a).toMatchObject({ filename: 'holiday.txt', contentType: 'image/jpeg', kind: 'image' });
    // Orientation 6: a 64×48 sensor image stands 48×64.
    expect([a.width, a.height]).toEqual([48, 64]);
    const res = await fetchAs(a.url);
    expect(res.status).toBe(200);
    const served = await bytesOf(res);
    expect(served.length).toBe(a.size);
    const meta = await sharp(served).metadata();
    expect(meta.exif).toBeUndefined();
    expect(meta.orientation).toBeUndefined();
    expect(Buffer.from(served).includes(Buffer.from('secret-owner'))).toBe(false);
    expect(Buffer.from(served).includes(Buffer.from('SpyCam'))).toBe(false);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    expect(res.headers.get('content-disposition')).toMatch(/^inline; /);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toBe("sandbox; default-src 'none'");
    expect(res.headers.get('cache-control')).toMatch(/^private/);
    expect(a.previewUrl).toBeDefined();
    const preview = await fetchAs(a.previewUrl ?? '');
    expect(preview.headers.get('content-type')).toBe('image/webp');
    expect((await sharp(await bytesOf(preview)).metadata()).format).toBe('webp');
  });

  it('keeps an animated GIF animated', async () => {
    const a = await upload(owner, await animatedGif(), 'dance.gif');
    expect(a).toMatchObject({
      kind: 'image',
      contentType: 'image/gif',
      animated: true,
      width: 16,
      height: 16,
    });
    const served = await bytesOf(await fetchAs(a.url));
    expect((await sharp(served, { animated: true }).metadata()).pages).toBe(2);
  });
});

describe('types from the bytes', () => {
  it('HTML named .png, SVG and unknown bytes are plain files, downloaded, never inline', async () => {
    const cases: Array<[string, Uint8Array]> = [
      ['evil.png', text('<html><script>alert(1)</script></html>')],
      ['logo.svg', text('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')],
      ['notes', text('just text')],
    ];
    for (const [name, body] of cases) {
      const a = await upload(owner, body, name);
      expect(a, name).toMatchObject({ kind: 'file', contentType: 'application/octet-stream' });
      expect(a.previewUrl).toBeUndefined();
      const res = await fetchAs(a.url);
      expect(res.headers.get('content-type')).toBe('application/octet-stream');
      expect(res.headers.get('content-disposition')).toMatch(/^attachment; /);
      expect(res.headers.get('content-security-policy')).toBe("sandbox; default-src 'none'");
    }
  });

  it('video plays inline with byte ranges; names travel as RFC 6266 filename*', async () => {
    const body = mp4(10_000);
    const a = await upload(owner, body, 'Ünïcode clip "1".mp4');
    expect(a).toMatchObject({ kind: 'video', contentType: 'video/mp4' });
    const res = await fetchAs(a.url, undefined, { range: 'bytes=100-199' });
    expect(res.status).toBe(206);
    expect(res.headers.get('content-range')).toBe(`bytes 100-199/${body.length}`);
    expect(await bytesOf(res)).toEqual(body.subarray(100, 200));
    const tail = await fetchAs(a.url, undefined, { range: 'bytes=-10' });
    expect(await bytesOf(tail)).toEqual(body.subarray(body.length - 10));
    const disposition = (await fetchAs(a.url)).headers.get('content-disposition') ?? '';
    expect(disposition).toContain(`filename*=UTF-8''${encodeURIComponent('Ünïcode clip "1".mp4')}`);
    expect(disposition).toMatch(/^inline; filename="[ -~]+"; /);
  });
});

describe('sending files', () => {
  it('a message carries its files in order, to history, to the gateway and to another member', async () => {
    const { socket } = await TestSocket.identified(server.wsUrl, ann.token);
    const first = await upload(owner, await png(30, 20), 'a.png');
    const second = await upload(owner, text('second'), 'b.txt');
    const sent = await owner.rest.sendMessage({ channelId, attachments: [second.id, first.id] });
    expect(sent.content).toBe('');
    expect(sent.attachments?.map((f) => f.id)).toEqual([second.id, first.id]);
    const event = await socket.next(
      (f) => f.op === 'event' && f.t === 'message_create' && (f.d as { id: string }).id === sent.id,
    );
    expect((event.d as { attachments: Attachment[] }).attachments.map((f) => f.filename)).toEqual([
      'b.txt',
      'a.png',
    ]);
    const [latest] = await ann.rest.listMessages({ channelId, limit: 1 });
    expect(latest?.attachments?.map((f) => f.id)).toEqual([second.id, first.id]);
    const url = latest?.attachments?.[1]?.url ?? '';
    expect((await fetchAs(url)).status).toBe(200);
    // Without the signature, ann's session does: she reads the channel.
    expect((await fetchAs(unsigned(url), ann)).status).toBe(200);
    socket.close();
  });

  it('search results carry their files', async () => {
    const a = await upload(owner, text('searched'), 'searched.txt');
    const sent = await owner.rest.sendMessage({ channelId, content: 'zebrafile here', attachments: [a.id] });
    const { results } = await ann.rest.searchChannelMessages({ channelId, q: 'zebrafile' });
    expect(results.map((r) => [r.message.id, r.message.attachments?.map((f) => f.id)])).toEqual([
      [sent.id, [a.id]],
    ]);
  });

  it('over the gateway too; content may be empty only with files', async () => {
    const { socket } = await TestSocket.identified(server.wsUrl, owner.token);
    const a = await upload(owner, text('over ws'), 'ws.txt');
    const reply = await socket.request('send_message', {
      channelId,
      content: '',
      nonce: 'ws-1',
      attachments: [a.id],
    });
    expect((reply.d as { attachments: Attachment[] }).attachments.map((f) => f.id)).toEqual([a.id]);
    const bare = await socket.request('send_message', { channelId, content: '', nonce: 'ws-2' });
    expect(bare.error ?? bare.d).toMatchObject({ code: 'invalid_input' });
    socket.close();
    const err = await refused(owner.rest.sendMessage({ channelId, content: '  ' }));
    expect(err.message).toContain('must not be empty');
  });

  it('a file is sent once: a second send is refused, a resend with the nonce answers the first', async () => {
    const a = await upload(owner, text('once'), 'once.txt');
    const first = await owner.rest.sendMessage({
      channelId,
      content: 'one',
      nonce: 'once-1',
      attachments: [a.id],
    });
    const again = await owner.rest.sendMessage({
      channelId,
      content: 'one',
      nonce: 'once-1',
      attachments: [a.id],
    });
    expect(again.id).toBe(first.id);
    expect(again.attachments?.map((f) => f.id)).toEqual([a.id]);
    const err = await refused(owner.rest.sendMessage({ channelId, content: 'two', attachments: [a.id] }));
    expect(err.status).toBe(400);
  });

  it('someone else’s file, a file of another channel, an unknown id are refused and change nothing', async () => {
    const other = await owner.rest.createChannel({ serverId: guild.id, name: 'other', type: 'text' });
    const mine = await upload(owner, text('mine'), 'mine.txt');
    const elsewhere = await upload(ann, text('there'), 'there.txt', other.id);
    const before = (await ann.rest.listMessages({ channelId, limit: 1 }))[0]?.id;
    for (const ids of [[mine.id], [elsewhere.id], ['123456789'], [mine.id, mine.id]]) {
      const err = await refused(ann.rest.sendMessage({ channelId, content: 'x', attachments: ids }));
      expect(err.status, ids.join()).toBe(400);
    }
    expect((await ann.rest.listMessages({ channelId, limit: 1 }))[0]?.id).toBe(before);
    // Both are still unsent and usable by their owners.
    const sent = await owner.rest.sendMessage({ channelId, content: 'mine', attachments: [mine.id] });
    expect(sent.attachments).toHaveLength(1);
  });

  it('more than ten files are refused', async () => {
    const ids = Array.from({ length: 11 }, (_, i) => String(1000 + i));
    expect(
      (await refused(owner.rest.sendMessage({ channelId, content: 'x', attachments: ids }))).status,
    ).toBe(400);
  });
});

describe('who gets a file', () => {
  it('a stranger cannot upload to the channel nor read a file without its signature; a forged one opens nothing', async () => {
    const err = await refused(upload(stranger, text('hi')));
    expect(err.status).toBe(404);
    const a = await upload(owner, text('private'), 'private.txt');
    await owner.rest.sendMessage({ channelId, content: 'p', attachments: [a.id] });
    const noSig = await fetchAs(unsigned(a.url), stranger);
    const forged = await fetchAs(`${unsigned(a.url)}?expires=9999999999&sig=AAAA`, stranger);
    const nobody = await fetchAs(unsigned(a.url));
    const missing = await fetchAs('/api/files/123456789/private.txt', owner);
    for (const res of [noSig, forged, nobody, missing]) {
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ error: { code: 'not_found', message: 'No such file.' } });
    }
  });

  it('an unsent file is its uploader’s alone; a signature expires after a day, then a session is needed', async () => {
    const a = await upload(owner, text('draft'), 'draft.txt');
    expect((await fetchAs(unsigned(a.url), ann)).status).toBe(404);
    expect((await fetchAs(unsigned(a.url), owner)).status).toBe(200);
    await owner.rest.sendMessage({ channelId, content: 'd', attachments: [a.id] });
    clock.advance(25 * 60 * 60 * 1000);
    expect((await fetchAs(a.url)).status).toBe(404);
    expect((await fetchAs(a.url, ann)).status).toBe(200);
  });

  it('a DM’s files go only between its two ends, and only while they may send', async () => {
    await befriend(owner, ann);
    const dm = await owner.rest.openDm({ userId: ann.id });
    const a = await upload(owner, text('for ann'), 'dm.txt', dm.id);
    await owner.rest.sendMessage({ channelId: dm.id, content: 'dm', attachments: [a.id] });
    expect((await fetchAs(unsigned(a.url), ann)).status).toBe(200);
    expect((await fetchAs(unsigned(a.url), stranger)).status).toBe(404);
    expect((await refused(upload(stranger, text('x'), 'x', dm.id))).status).toBe(404);
  });
});

describe('the OpenAPI document', () => {
  it('describes an upload’s body as the file’s bytes', async () => {
    const doc = (await (await fetch(`${server.url}/api/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { requestBody?: { content: Record<string, unknown> } }>>;
    };
    const op = doc.paths['/api/channels/{channelId}/attachments']?.post;
    expect(Object.keys(op?.requestBody?.content ?? {})).toEqual(['application/octet-stream']);
  });
});

describe('hostile uploads', () => {
  it('bad names, no Content-Length, a voice channel and an empty file are refused', async () => {
    for (const filename of ['', 'a/b.png', '..\\x', 'bad\u0000name', 'x'.repeat(256)]) {
      const err = await refused(upload(owner, text('x'), filename));
      expect(err.status, JSON.stringify(filename)).toBe(400);
    }
    const chunked = await fetch(`${server.url}/api/channels/${channelId}/attachments?filename=a.txt`, {
      method: 'POST',
      headers: { authorization: `Bearer ${owner.token}`, [CSRF_HEADER]: CSRF_HEADER_VALUE },
      body: new ReadableStream({
        start(c) {
          c.enqueue(text('abc'));
          c.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(400);
    const voice = guild.channels.find((c) => c.type === 'voice');
    if (voice) expect((await refused(upload(owner, text('x'), 'x', voice.id))).status).toBe(400);
    expect((await refused(upload(owner, new Uint8Array(0), 'empty'))).status).toBe(400);
    expect(
      (await refused(owner.rest.uploadAttachment({ channelId: '1', filename: 'x', body: text('x') }))).status,
    ).toBe(404);
  });
});

describe('storage', () => {
  it('one file uploaded twice is stored once; deleting its messages deletes it when nothing else refers to it', async () => {
    const body = text(`dedup ${Math.random()}`);
    const blobsBefore = await count('blobs');
    const filesBefore = storedFiles(server.db.dataDir);
    const a = await upload(owner, body, 'one.txt');
    const b = await upload(ann, body, 'two.txt');
    expect(await count('blobs')).toBe(blobsBefore + 1);
    expect(storedFiles(server.db.dataDir)).toBe(filesBefore + 1);
    const m1 = await owner.rest.sendMessage({ channelId, content: '1', attachments: [a.id] });
    const m2 = await ann.rest.sendMessage({ channelId, content: '2', attachments: [b.id] });
    await owner.rest.deleteMessage({ channelId, messageId: m1.id });
    expect((await fetchAs(a.url)).status).toBe(404);
    // The other message still holds the bytes.
    expect(await bytesOf(await fetchAs(b.url))).toEqual(body);
    expect(storedFiles(server.db.dataDir)).toBe(filesBefore + 1);
    await ann.rest.deleteMessage({ channelId, messageId: m2.id });
    expect(await count('blobs')).toBe(blobsBefore);
    expect(storedFiles(server.db.dataDir)).toBe(filesBefore);
  });

  it('an upload whose database write fails leaves no bytes behind', async () => {
    const db = server.app.storage.db;
    // The write of this one file fails inside its transaction, after its bytes were stored.
    await db.execute(sql`create function refuse_upload() returns trigger language plpgsql as
      $$ begin if new.filename = 'refused.txt' then raise exception 'refused by the test'; end if;
      return new; end $$`);
    await db.execute(sql`create trigger refuse_upload before insert on attachments
      for each row execute function refuse_upload()`);
    try {
      const blobsBefore = await count('blobs');
      const filesBefore = storedFiles(server.db.dataDir);
      const usageBefore = (await owner.rest.uploadUsage()).usedBytes;
      await expect(upload(owner, text(`lost ${Math.random()}`), 'refused.txt')).rejects.toMatchObject({
        status: 500,
      });
      expect(storedFiles(server.db.dataDir)).toBe(filesBefore);
      expect(await count('blobs')).toBe(blobsBefore);
      expect((await owner.rest.uploadUsage()).usedBytes).toBe(usageBefore);
    } finally {
      await db.execute(sql`drop trigger refuse_upload on attachments`);
      await db.execute(sql`drop function refuse_upload()`);
    }
  });

  it('uploads never sent are removed after an hour by the sweep, with their bytes and usage', async () => {
    // Older unsent uploads go first, so that what follows counts this one alone.
    clock.advance(61 * 60 * 1000);
    await server.app.files.sweep();
    const usage = await ann.rest.uploadUsage();
    const a = await upload(ann, text(`orphan ${Math.random()}`), 'orphan.txt');
    expect((await ann.rest.uploadUsage()).usedBytes).toBe(usage.usedBytes + a.size);
    clock.advance(30 * 60 * 1000);
    await server.app.files.sweep();
    expect((await fetchAs(unsigned(a.url), ann)).status).toBe(200);
    clock.advance(31 * 60 * 1000);
    const swept = await server.app.files.sweep();
    expect(swept.attachments).toBeGreaterThanOrEqual(1);
    expect((await fetchAs(unsigned(a.url), ann)).status).toBe(404);
    expect((await ann.rest.uploadUsage()).usedBytes).toBe(usage.usedBytes);
    expect(
      (await refused(ann.rest.sendMessage({ channelId, content: 'late', attachments: [a.id] }))).status,
    ).toBe(400);
  });

  it('deleting a channel takes its files with it', async () => {
    const doomed = await owner.rest.createChannel({ serverId: guild.id, name: 'doomed', type: 'text' });
    const body = text(`doomed ${Math.random()}`);
    const blobsBefore = await count('blobs');
    const a = await upload(owner, body, 'doomed.txt', doomed.id);
    await owner.rest.sendMessage({ channelId: doomed.id, content: 'bye', attachments: [a.id] });
    await owner.rest.deleteChannel({ channelId: doomed.id });
    expect((await fetchAs(a.url)).status).toBe(404);
    await server.app.files.sweep();
    expect(await count('blobs')).toBe(blobsBefore);
  });
});

describe('limits', () => {
  let small: TestServer;
  let user: Person;
  let channel: string;
  beforeAll(async () => {
    small = await startTestServer({
      config: { files: { maxUploadBytes: 100_000, uploadQuotaBytes: 250_000, s3: undefined } },
    });
    [user] = await people(small.url, ['quota']);
    channel = textChannelOf(await user.rest.createServer({ name: 'Q' }));
  });
  afterAll(() => small.close());

  it('a file over the cap is refused before it is read; usage tells the limits', async () => {
    expect(await user.rest.uploadUsage()).toEqual({
      usedBytes: 0,
      quotaBytes: 250_000,
      maxFileBytes: 100_000,
    });
    const err = await refused(
      user.rest.uploadAttachment({ channelId: channel, filename: 'big', body: new Uint8Array(100_001) }),
    );
    expect(err.status).toBe(413);
    expect((await user.rest.uploadUsage()).usedBytes).toBe(0);
  });

  it('parallel uploads never pass the quota together', async () => {
    const body = (i: number) => new Uint8Array(90_000).fill(i);
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) =>
        user.rest.uploadAttachment({ channelId: channel, filename: `p${i}`, body: body(i) }),
      ),
    );
    const ok = results.filter((r) => r.status === 'fulfilled');
    const refusedOnes = results.filter((r) => r.status === 'rejected');
    expect(ok).toHaveLength(2);
    for (const r of refusedOnes) expect(r.reason).toMatchObject({ status: 413, code: 'payload_too_large' });
    expect((await user.rest.uploadUsage()).usedBytes).toBe(180_000);
  });

  it('one that would pass the quota is refused before its body is sent', async () => {
    // Headers only: the refusal must come without the body.
    const answer = await postHeadersOnly(`${small.url}/api/channels/${channel}/attachments?filename=over`, {
      authorization: `Bearer ${user.token}`,
      'content-length': '90000',
      'content-type': 'application/octet-stream',
    });
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'payload_too_large' } });
    expect(JSON.parse(answer.body).error.message).toContain('quota');
    expect(answer.connection).toBe('close');
    expect((await user.rest.uploadUsage()).usedBytes).toBe(180_000);
  });
});

describe('a restart', () => {
  it('keeps files, their messages and their URLs (a new app on the same data and database)', async () => {
    const first = await startTestServer();
    const [p] = await people(first.url, ['restart']);
    const c = textChannelOf(await p.rest.createServer({ name: 'R' }));
    const body = await png(12, 12);
    const a = await p.rest.uploadAttachment({ channelId: c, filename: 'keep.png', body });
    await p.rest.sendMessage({ channelId: c, content: 'kept', attachments: [a.id] });
    await first.close({ keepData: true });
    const second = await startTestServer({ db: first.db });
    try {
      const [m] = await restClient(second.url, p.token).listMessages({ channelId: c, limit: 1 });
      expect(m?.attachments?.[0]).toMatchObject({ id: a.id, width: 12, height: 12 });
      const res = await fetch(`${second.url}${a.url}`);
      expect(res.status).toBe(200);
    } finally {
      await second.close();
    }
  });
});
