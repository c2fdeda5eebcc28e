import { createHash, type Hash } from 'node:crypto';
import { type Readable, Transform } from 'node:stream';

/** Bytes `start` to `end` of a blob, both included (an HTTP Range). */
export interface ByteRange {
  start: number;
  end: number;
}

export interface StoredBlob {
  /** Hex SHA-256 of the stored bytes: the blob's name. */
  sha256: string;
  size: number;
}

/**
 * Where file contents are kept: content-addressed, so a file stored twice is kept once and a
 * name always means the same bytes (a blob is never changed, only deleted). The database says
 * which blobs are referred to; the store only holds bytes.
 */
export interface BlobStore {
  /**
   * Stores the stream's bytes under their SHA-256. With `expected`, a blob already stored is not
   * written again, and bytes that do not hash to it are refused (nothing is kept).
   */
  put(bytes: Readable, expected?: string): Promise<StoredBlob>;
  /**
   * Stores the file at `path`, whose bytes hash to `sha256` (the caller hashed them), unless that
   * blob is there already. The file stays where it is (the local store links it: no copy).
   */
  putFile(path: string, sha256: string): Promise<void>;
  /** The blob's bytes (or a range of them); undefined when there is no such blob. */
  get(sha256: string, range?: ByteRange): Promise<Readable | undefined>;
  /** Removes the blob; removing one that is not there is no error. */
  delete(sha256: string): Promise<void>;
  exists(sha256: string): Promise<boolean>;
}

export const SHA256_HEX = /^[0-9a-f]{64}$/;

/** Where a blob lives below a root: `ab/cd/<sha256>` (no directory grows to millions of entries). */
export function blobPath(sha256: string): string {
  if (!SHA256_HEX.test(sha256)) throw new Error('not a SHA-256');
  return `${sha256.slice(0, 2)}/${sha256.slice(2, 4)}/${sha256}`;
}

/** A pass-through that hashes and counts what flows through it. */
export function hashing(): { stream: Transform; result: () => StoredBlob } {
  const hash: Hash = createHash('sha256');
  let size = 0;
  let digest: string | undefined;
  const stream = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      size += chunk.length;
      done(null, chunk);
    },
  });
  return {
    stream,
    result: () => {
      digest ??= hash.digest('hex');
      return { sha256: digest, size };
    },
  };
}

export class BlobMismatchError extends Error {
  override name = 'BlobMismatchError';
}
