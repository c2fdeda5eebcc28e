import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../infra/logger.js';
import { MediaCache } from './media-cache.js';

const dirs: string[] = [];
const log = createLogger('silent');
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function folder(): string {
  const d = mkdtempSync(join(tmpdir(), 'media-cache-'));
  dirs.push(d);
  return d;
}

const put = (cache: MediaCache, key: string, size: number) =>
  cache.put({ key, type: 'image/png', size }, Buffer.alloc(size));

describe('MediaCache', () => {
  it('keeps the total under its cap by dropping the least recently served', async () => {
    const dir = folder();
    const cache = new MediaCache(dir, 300, log);
    await put(cache, 'a', 100);
    await put(cache, 'b', 100);
    await put(cache, 'c', 100);
    expect(cache.get('a')).toBeDefined(); // a is now the most recent: b goes first
    await put(cache, 'd', 100);
    expect(cache.get('b')).toBeUndefined();
    expect(existsSync(join(dir, 'b'))).toBe(false);
    expect(existsSync(join(dir, 'b.json'))).toBe(false);
    for (const key of ['a', 'c', 'd']) expect(cache.get(key), key).toBeDefined();
  });

  it('finds its files again after a restart', async () => {
    const dir = folder();
    await put(new MediaCache(dir, 1000, log), 'kept', 10);
    expect(new MediaCache(dir, 1000, log).get('kept')).toEqual({ key: 'kept', type: 'image/png', size: 10 });
  });

  it('never keeps one file larger than the whole cache', async () => {
    const cache = new MediaCache(folder(), 50, log);
    await put(cache, 'huge', 100);
    expect(cache.get('huge')).toBeUndefined();
  });
});
