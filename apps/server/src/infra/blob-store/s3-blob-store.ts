import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { S3Config } from '../../config.js';
import {
  BlobMismatchError,
  type BlobStore,
  type ByteRange,
  blobPath,
  hashing,
  SHA256_HEX,
  type StoredBlob,
} from './blob-store.js';

/** Parts of a multipart upload: the smallest S3 takes, so a stream never holds more than two. */
const PART_BYTES = 5 * 1024 * 1024;

/**
 * Blobs as objects of an S3-compatible bucket (AWS, MinIO, Garage, R2…), for several instances
 * that share their files. Uploads stream as multipart (a file is never held whole in memory).
 * Bytes whose hash is not known up front go to a temporary key first, then are copied to their name.
 */
export class S3BlobStore implements BlobStore {
  private readonly client: S3Client;
  private readonly bucket: string;

  constructor(config: S3Config) {
    this.bucket = config.bucket;
    this.client = new S3Client({
      region: config.region,
      forcePathStyle: config.forcePathStyle,
      ...(config.endpoint ? { endpoint: config.endpoint } : {}),
      ...(config.credentials ? { credentials: config.credentials } : {}),
      // Checksums only where S3 requires them: many S3-compatible servers take no others.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  async put(bytes: Readable, expected?: string): Promise<StoredBlob> {
    if (expected !== undefined) {
      const size = await this.sizeOf(expected);
      if (size !== undefined) {
        bytes.resume();
        return { sha256: expected, size };
      }
    }
    const key = expected === undefined ? `tmp/${randomUUID()}` : blobPath(expected);
    const hash = hashing();
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: key, Body: bytes.pipe(hash.stream) },
      partSize: PART_BYTES,
      queueSize: 2,
    });
    bytes.on('error', (err) => hash.stream.destroy(err));
    await upload.done();
    const stored = hash.result();
    if (expected !== undefined) {
      if (stored.sha256 === expected) return stored;
      await this.deleteKey(key);
      throw new BlobMismatchError('bytes changed');
    }
    try {
      await this.client.send(
        new CopyObjectCommand({
          Bucket: this.bucket,
          CopySource: `${this.bucket}/${key}`,
          Key: blobPath(stored.sha256),
        }),
      );
    } finally {
      await this.deleteKey(key);
    }
    return stored;
  }

  async putFile(path: string, sha256: string): Promise<void> {
    await this.put(createReadStream(path), sha256);
  }

  async get(sha256: string, range?: ByteRange): Promise<Readable | undefined> {
    if (!SHA256_HEX.test(sha256)) return undefined;
    try {
      const answer = await this.client.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: blobPath(sha256),
          ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}),
        }),
      );
      const body = answer.Body;
      if (body instanceof Readable) return body;
      if (!body) return undefined;
      return Readable.fromWeb(body.transformToWebStream() as import('node:stream/web').ReadableStream);
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
  }

  async delete(sha256: string): Promise<void> {
    if (SHA256_HEX.test(sha256)) await this.deleteKey(blobPath(sha256));
  }

  async exists(sha256: string): Promise<boolean> {
    return (await this.sizeOf(sha256)) !== undefined;
  }

  private async deleteKey(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  private async sizeOf(sha256: string): Promise<number | undefined> {
    if (!SHA256_HEX.test(sha256)) return undefined;
    try {
      const head = await this.client.send(
        new HeadObjectCommand({ Bucket: this.bucket, Key: blobPath(sha256) }),
      );
      return head.ContentLength ?? 0;
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
  }
}

function isMissing(err: unknown): boolean {
  return (
    err instanceof S3ServiceException &&
    (err.$metadata.httpStatusCode === 404 || err.name === 'NoSuchKey' || err.name === 'NotFound')
  );
}
