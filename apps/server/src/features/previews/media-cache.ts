import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { rename, rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../infra/logger.js';

export interface CachedMedia {
  key: string;
  /** The content type found in the bytes. */
  type: string;
  size: number;
  width?: number;
  height?: number;
}

/**
 * Proxied media on disk in the data folder (`media-cache/`): one file per URL (named by its
 * SHA-256) and a small JSON file beside it with its type. The total is held under `maxBytes` by
 * evicting the least recently served; the order lives in memory (a Map in use order) and is
 * rebuilt from the files' modification times at start (a hit touches its file).
 */
export class MediaCache {
  private readonly entries = new Map<string, CachedMedia>();
  private total = 0;

  constructor(
    private readonly dir: string,
    private readonly maxBytes: number,
    private readonly log: Logger,
  ) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const found: Array<CachedMedia & { mtime: number }> = [];
    for (const name of readdirSync(dir)) {
      if (!name.endsWith('.json')) continue;
      const key = name.slice(0, -5);
      try {
        const meta = JSON.parse(readFileSync(join(dir, name), 'utf8')) as Omit<CachedMedia, 'key'>;
        const stat = statSync(join(dir, key));
        found.push({ ...meta, key, size: stat.size, mtime: stat.mtimeMs });
      } catch {
        // A half-written pair (a crash between the two writes) is dropped below.
      }
    }
    found.sort((a, b) => a.mtime - b.mtime);
    for (const { mtime: _, ...entry } of found) this.add(entry);
  }

  static keyOf(url: string): string {
    return createHash('sha256').update(url).digest('hex');
  }

  /** The entry, now the most recently used. */
  get(key: string): CachedMedia | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    const now = new Date();
    utimes(this.file(key), now, now).catch(() => {});
    return entry;
  }

  file(key: string): string {
    return join(this.dir, key);
  }

  async put(entry: CachedMedia, body: Buffer): Promise<void> {
    if (body.length > this.maxBytes) return;
    const { key, ...meta } = entry;
    const tmp = `${this.file(key)}.${process.pid}.tmp`;
    await writeFile(tmp, body, { mode: 0o600 });
    await writeFile(`${this.file(key)}.json`, JSON.stringify(meta), { mode: 0o600 });
    await rename(tmp, this.file(key));
    const old = this.entries.get(key);
    if (old) {
      this.entries.delete(key);
      this.total -= old.size;
    }
    this.add(entry);
    await this.evict();
  }

  private add(entry: CachedMedia): void {
    this.entries.set(entry.key, entry);
    this.total += entry.size;
  }

  private async evict(): Promise<void> {
    for (const [key, entry] of this.entries) {
      if (this.total <= this.maxBytes) return;
      this.entries.delete(key);
      this.total -= entry.size;
      await Promise.all([
        rm(this.file(key), { force: true }),
        rm(`${this.file(key)}.json`, { force: true }),
      ]).catch((err: unknown) => this.log.warn({ err, key }, 'could not remove a cached media file'));
    }
  }
}
