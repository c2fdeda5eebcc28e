import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { copyFile, link, mkdir, open, rename, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  BlobMismatchError,
  type BlobStore,
  type ByteRange,
  blobPath,
  hashing,
  SHA256_HEX,
  type StoredBlob,
} from './blob-store.js';

/**
 * Blobs as files below `<dataDir>/files`: written to a temporary file, fsync'd, then renamed into
 * place, so a crash leaves either the whole blob or none (never a torn one under its name).
 */
export class LocalBlobStore implements BlobStore {
  private readonly tmp: string;

  constructor(private readonly root: string) {
    this.tmp = join(root, 'tmp');
  }

  async put(bytes: Readable, expected?: string): Promise<StoredBlob> {
    if (expected !== undefined) {
      const size = await this.sizeOf(expected);
      if (size !== undefined) {
        bytes.resume();
        return { sha256: expected, size };
      }
    }
    await mkdir(this.tmp, { recursive: true, mode: 0o700 });
    const temp = join(this.tmp, randomUUID());
    const hash = hashing();
    try {
      await pipeline(bytes, hash.stream, createWriteStream(temp, { mode: 0o600 }));
      const stored = hash.result();
      if (expected !== undefined && stored.sha256 !== expected) throw new BlobMismatchError('bytes changed');
      await fsync(temp);
      const target = this.pathOf(stored.sha256);
      await mkdir(dirname(target), { recursive: true, mode: 0o700 });
      await rename(temp, target);
      await fsync(dirname(target));
      return stored;
    } finally {
      await unlink(temp).catch(() => {});
    }
  }

  async putFile(path: string, sha256: string): Promise<void> {
    if (await this.exists(sha256)) return;
    await fsync(path);
    const target = this.pathOf(sha256);
    await mkdir(dirname(target), { recursive: true, mode: 0o700 });
    // A second name for the same inode (the spool is in the data folder too); a copy elsewhere.
    await link(path, target).catch(async (err: NodeJS.ErrnoException) => {
      if (err.code === 'EEXIST') return;
      if (err.code !== 'EXDEV') throw err;
      const temp = join(this.tmp, randomUUID());
      await mkdir(this.tmp, { recursive: true, mode: 0o700 });
      await copyFile(path, temp);
      await fsync(temp);
      await rename(temp, target);
    });
    await fsync(dirname(target));
  }

  async get(sha256: string, range?: ByteRange): Promise<Readable | undefined> {
    if (!SHA256_HEX.test(sha256)) return undefined;
    const handle = await open(this.pathOf(sha256), 'r').catch(() => undefined);
    if (!handle) return undefined;
    // The handle is closed when the stream ends or is destroyed (autoClose).
    return handle.createReadStream(range ?? {});
  }

  async delete(sha256: string): Promise<void> {
    if (!SHA256_HEX.test(sha256)) return;
    await unlink(this.pathOf(sha256)).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
  }

  async exists(sha256: string): Promise<boolean> {
    return (await this.sizeOf(sha256)) !== undefined;
  }

  private async sizeOf(sha256: string): Promise<number | undefined> {
    if (!SHA256_HEX.test(sha256)) return undefined;
    return (await stat(this.pathOf(sha256)).catch(() => undefined))?.size;
  }

  private pathOf(sha256: string): string {
    return join(this.root, blobPath(sha256));
  }
}

async function fsync(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
