import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { SESSION_COOKIE } from '@decentra/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Person, people, restClient, serverWith, textChannelOf } from '../../../test/people.js';
import { startTestS3, type TestS3 } from '../../../test/s3-server.js';
import { startTestServer, type TestServer } from '../../../test/test-server.js';
import { DEFAULT_FILES_CONFIG } from '../../config.js';
import { png, text } from './test-files.js';

/**
 * The files feature on the S3 adapter (attachments.test.ts runs every case on the local one): a
 * real S3-compatible server (s3rver) holds the bytes, on either database engine.
 */
let s3: TestS3;
let server: TestServer;
let owner: Person;
let ann: Person;
let stranger: Person;
let channelId: string;

const filesConfig = () => ({ files: { ...DEFAULT_FILES_CONFIG, s3: s3.config } });

beforeAll(async () => {
  s3 = await startTestS3();
  server = await startTestServer({ config: filesConfig() });
  [owner, ann, stranger] = await people(server.url, ['owner', 'ann', 'stranger']);
  channelId = textChannelOf(await serverWith(owner, 'Bucket', [ann]));
});
afterAll(async () => {
  await server.close();
  await s3.close();
});

async function objectsInBucket(): Promise<number> {
  const client = new S3Client({
    endpoint: s3.config.endpoint,
    region: s3.config.region,
    forcePathStyle: true,
    ...(s3.config.credentials ? { credentials: s3.config.credentials } : {}),
  });
  try {
    const listed = await client.send(new ListObjectsV2Command({ Bucket: s3.config.bucket }));
    return listed.KeyCount ?? 0;
  } finally {
    client.destroy();
  }
}
const fetchAs = (path: string, who?: Person) =>
  fetch(`${server.url}${path}`, { headers: who ? { cookie: `${SESSION_COOKIE}=${who.token}` } : {} });
const unsigned = (url: string) => url.split('?')[0] ?? url;

describe('files kept in an S3 bucket', () => {
  it('an upload is read by another member from the bucket, and refused to a stranger', async () => {
    const body = await png(20, 10);
    const a = await owner.rest.uploadAttachment({ channelId, filename: 'bucket.png', body });
    const m = await owner.rest.sendMessage({ channelId, content: 'from the bucket', attachments: [a.id] });
    const [seen] = await ann.rest.listMessages({ channelId, limit: 1 });
    expect(seen?.id).toBe(m.id);
    const file = seen?.attachments?.[0];
    expect(file).toMatchObject({ kind: 'image', width: 20, height: 10 });
    const res = await fetchAs(file?.url ?? '');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect((await fetchAs(file?.previewUrl ?? '')).status).toBe(200);
    // Without the signature a session is needed, and a stranger's is not enough.
    expect((await fetchAs(unsigned(file?.url ?? ''), stranger)).status).toBe(404);
    expect((await fetchAs(unsigned(file?.url ?? ''), ann)).status).toBe(200);
  });

  it('one file uploaded twice is one object; deleting its messages deletes it', async () => {
    const body = text(`dedup in the bucket ${Math.random()}`);
    const before = await objectsInBucket();
    const a = await owner.rest.uploadAttachment({ channelId, filename: 'a.txt', body });
    const b = await ann.rest.uploadAttachment({ channelId, filename: 'b.txt', body });
    expect(await objectsInBucket()).toBe(before + 1);
    const m1 = await owner.rest.sendMessage({ channelId, content: '1', attachments: [a.id] });
    const m2 = await ann.rest.sendMessage({ channelId, content: '2', attachments: [b.id] });
    await owner.rest.deleteMessage({ channelId, messageId: m1.id });
    expect(await objectsInBucket()).toBe(before + 1);
    expect(new Uint8Array(await (await fetchAs(b.url)).arrayBuffer())).toEqual(body);
    await ann.rest.deleteMessage({ channelId, messageId: m2.id });
    expect(await objectsInBucket()).toBe(before);
    expect((await fetchAs(b.url)).status).toBe(404);
  });

  it('a restart keeps the files: a new app on the same database and bucket serves them', async () => {
    const first = await startTestServer({ config: filesConfig() });
    const [p] = await people(first.url, ['restart']);
    const c = textChannelOf(await p.rest.createServer({ name: 'R' }));
    const body = await png(8, 8);
    const a = await p.rest.uploadAttachment({ channelId: c, filename: 'keep.png', body });
    await p.rest.sendMessage({ channelId: c, content: 'kept', attachments: [a.id] });
    await first.close({ keepData: true });
    const second = await startTestServer({ db: first.db, config: filesConfig() });
    try {
      const [m] = await restClient(second.url, p.token).listMessages({ channelId: c, limit: 1 });
      const res = await fetch(`${second.url}${m?.attachments?.[0]?.url ?? ''}`);
      expect(res.status).toBe(200);
      expect(new Uint8Array(await res.arrayBuffer()).length).toBe(a.size);
    } finally {
      await second.close();
    }
  });
});
