import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import { createGunzip, createGzip, type Gzip } from 'node:zlib';
import { Header } from 'tar';

const BLOCK = 512;

export class CorruptArchiveError extends Error {
  override name = 'CorruptArchiveError';
}

/**
 * A gzipped tar written entry by entry into `out`, each entry whole in memory (a part of a table,
 * at most a few MB): tar needs an entry's size before its data. Waits for `out` to drain, so a
 * slow reader slows the writer instead of filling memory.
 */
export class TarWriter {
  private readonly gzip: Gzip;
  /** Aborted when `out` is gone (a download cut off): the writer must not wait for a drain forever. */
  private readonly gone = new AbortController();

  constructor(out: Writable) {
    // Level 1: most of level 6's gain on JSON lines, in far less of the time the snapshot stays open.
    this.gzip = createGzip({ level: 1 });
    this.gzip.pipe(out);
    out.once('close', () => this.gone.abort(new Error('the backup was not read to its end')));
    out.once('error', (err) => this.gone.abort(err));
  }

  async add(path: string, data: Buffer, mode = 0o600): Promise<void> {
    const header = new Header({ path, mode, size: data.length, mtime: new Date(), type: 'File' });
    if (header.needPax) throw new Error(`tar entry name too long: ${path}`);
    header.encode();
    const padding = (BLOCK - (data.length % BLOCK)) % BLOCK;
    await this.write(header.block ?? Buffer.alloc(0));
    await this.write(data);
    if (padding > 0) await this.write(Buffer.alloc(padding));
  }

  async finish(): Promise<void> {
    await this.write(Buffer.alloc(BLOCK * 2));
    this.gzip.end();
    await once(this.gzip, 'end', { signal: this.gone.signal });
  }

  private async write(chunk: Buffer): Promise<void> {
    this.gone.signal.throwIfAborted();
    if (!this.gzip.write(chunk)) await once(this.gzip, 'drain', { signal: this.gone.signal });
  }
}

export interface TarEntry {
  path: string;
  data: Buffer;
}

/** Bytes as they arrive, taken in pieces of a known size (concatenated once per piece, not per chunk). */
class ByteQueue {
  private chunks: Buffer[] = [];
  length = 0;

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.length += chunk.length;
  }

  take(n: number): Buffer {
    const all = this.chunks.length === 1 ? (this.chunks[0] ?? Buffer.alloc(0)) : Buffer.concat(this.chunks);
    this.chunks = all.length > n ? [all.subarray(n)] : [];
    this.length -= n;
    return all.subarray(0, n);
  }
}

/** The entries of a gzipped tar, one at a time; a truncated or damaged archive throws. */
export async function* readTar(input: Readable): AsyncGenerator<TarEntry> {
  const gunzip = createGunzip();
  input.on('error', (err) => gunzip.destroy(err));
  input.pipe(gunzip);
  const bytes = new ByteQueue();
  let pending: Header | undefined;
  let ended = false;
  try {
    for await (const chunk of gunzip) {
      if (ended) continue;
      bytes.push(chunk as Buffer);
      for (;;) {
        if (!pending) {
          if (bytes.length < BLOCK) break;
          const header = new Header(bytes.take(BLOCK));
          if (header.nullBlock) {
            ended = true;
            break;
          }
          if (!header.cksumValid || header.path === undefined || header.size === undefined) {
            throw new CorruptArchiveError('the archive is damaged (a bad tar header)');
          }
          pending = header;
        }
        const size = pending.size ?? 0;
        const padded = size + ((BLOCK - (size % BLOCK)) % BLOCK);
        if (bytes.length < padded) break;
        const data = Buffer.from(bytes.take(padded).subarray(0, size));
        const path = pending.path ?? '';
        pending = undefined;
        yield { path, data };
      }
    }
  } catch (err) {
    if (err instanceof CorruptArchiveError) throw err;
    throw new CorruptArchiveError(`the archive is damaged or cut short (${(err as Error).message})`);
  }
  if (!ended) throw new CorruptArchiveError('the archive is cut short (no end of archive)');
}
