import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestS3, type TestS3 } from '../../../test/s3-server.js';
import { BlobMismatchError, type BlobStore } from './blob-store.js';
import { LocalBlobStore } from './local-blob-store.js';
import { S3BlobStore } from './s3-blob-store.js';

let s3: TestS3;
let localRoot: string;
beforeAll(async () => {
  s3 = await startTestS3();
  localRoot = mkdtempSync(join(tmpdir(), 'decentra-blobs-'));
});
afterAll(async () => {
  await s3?.close();
  rmSync(localRoot, { recursive: true, force: true });
});

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
/** A stream that hands its bytes over in small chunks, as a socket does. */
const chunked = (b: Buffer) =>
  Readable.from(
    (function* () {
      for (let i = 0; i < b.length; i += 64 * 1024) yield b.subarray(i, i + 64 * 1024);
    })(),
  );

const adapters: Array<[string, () => BlobStore]> = [
  ['local', () => new LocalBlobStore(localRoot)],
  ['s3', () => new S3BlobStore(s3.config)],
];

describe.each(adapters)('the %s blob store', (_name, make) => {
  it('stores a stream under its SHA-256 and gives it back whole and by range', async () => {
    const store = make();
    const bytes = randomBytes(300_000);
    const stored = await store.put(chunked(bytes));
    expect(stored).toEqual({ sha256: sha(bytes), size: bytes.length });
    expect(await store.exists(stored.sha256)).toBe(true);
    const whole = await store.get(stored.sha256);
    expect(whole && (await buffer(whole)).equals(bytes)).toBe(true);
    const part = await store.get(stored.sha256, { start: 1000, end: 1999 });
    expect(part && (await buffer(part)).equals(bytes.subarray(1000, 2000))).toBe(true);
  });

  it('streams a file of several parts (multipart on S3) and keeps one copy of bytes stored twice', async () => {
    const store = make();
    const bytes = randomBytes(12 * 1024 * 1024 + 123);
    const first = await store.put(chunked(bytes));
    const again = await store.put(chunked(bytes), first.sha256);
    expect(again).toEqual(first);
    const back = await store.get(first.sha256);
    expect(back && sha(await buffer(back))).toBe(first.sha256);
  });

  it('stores a file from disk by its known hash, once, leaving the file in place', async () => {
    const store = make();
    const bytes = randomBytes(70_000);
    const path = join(localRoot, `source-${Math.random()}`);
    writeFileSync(path, bytes);
    await store.putFile(path, sha(bytes));
    await store.putFile(path, sha(bytes));
    expect(readFileSync(path).equals(bytes)).toBe(true);
    const back = await store.get(sha(bytes));
    expect(back && (await buffer(back)).equals(bytes)).toBe(true);
  });

  it('refuses bytes that do not match the hash they were announced with, keeping nothing', async () => {
    const store = make();
    const bytes = randomBytes(1000);
    const wrong = sha(Buffer.from('something else'));
    await expect(store.put(chunked(bytes), wrong)).rejects.toBeInstanceOf(BlobMismatchError);
    expect(await store.exists(wrong)).toBe(false);
    expect(await store.exists(sha(bytes))).toBe(false);
  });

  it('deletes, and answers nothing for a blob that is not there or a name that is no hash', async () => {
    const store = make();
    const bytes = randomBytes(5000);
    const { sha256 } = await store.put(chunked(bytes));
    await store.delete(sha256);
    await store.delete(sha256);
    expect(await store.exists(sha256)).toBe(false);
    expect(await store.get(sha256)).toBeUndefined();
    expect(await store.get('../../etc/passwd')).toBeUndefined();
    expect(await store.exists('not-a-hash')).toBe(false);
  });
});

describe('the local blob store', () => {
  it('lays blobs out as ab/cd/<sha256> and leaves no temporary file behind', async () => {
    const store = new LocalBlobStore(localRoot);
    const bytes = randomBytes(2000);
    const { sha256 } = await store.put(chunked(bytes));
    expect(readdirSync(join(localRoot, sha256.slice(0, 2), sha256.slice(2, 4)))).toContain(sha256);
    expect(readdirSync(join(localRoot, 'tmp'))).toEqual([]);
  });
});
