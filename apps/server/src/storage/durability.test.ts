import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { ENGINE } from '../../test/test-db.js';
import { executeRows, openStorage } from './db.js';
import { assertDurable } from './durable-pglite.js';

const run = promisify(execFile);
const CHILD = new URL('../../test/commit-child.ts', import.meta.url).pathname;
const COMMITS = 25;

/** The embedded engine keeps what it acknowledges: each commit reaches the disk before it returns. */
describe.runIf(ENGINE === 'pglite')('durable embedded storage', () => {
  const dirs: string[] = [];
  const tempDir = (prefix: string) => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('runs with fsync on, WAL synced by fsync, synchronous commits', async () => {
    const storage = await openStorage({ kind: 'pglite', dataDir: tempDir('decentra-durable-') });
    try {
      const settings = await executeRows<{ name: string; setting: string }>(
        storage.db,
        sql`select name, setting from pg_settings where name in ('fsync', 'wal_sync_method', 'synchronous_commit') order by name`,
      );
      expect(settings).toEqual([
        { name: 'fsync', setting: 'on' },
        { name: 'synchronous_commit', setting: 'on' },
        { name: 'wal_sync_method', setting: 'fsync' },
      ]);
    } finally {
      await storage.close();
    }
  });

  it('refuses a database started the way PGlite starts by default (fsync off)', async () => {
    const plain = await PGlite.create();
    try {
      await expect(assertDurable(plain)).rejects.toThrow(/fsync=off; it must be on/);
    } finally {
      await plain.close();
    }
  });

  it('syncs the disk once per commit at least, as the kernel sees it (strace)', async () => {
    const dir = tempDir('decentra-strace-');
    const trace = join(dir, 'trace.txt');
    await run(
      'strace',
      [
        '-f',
        '-e',
        'trace=fsync,fdatasync,write',
        '-o',
        trace,
        process.execPath,
        '--import',
        'tsx',
        CHILD,
        dir,
        String(COMMITS),
      ],
      { timeout: 120_000 },
    );
    const lines = readFileSync(trace, 'utf8').split('\n');
    const begin = lines.findIndex((l) => l.includes('COMMITS-BEGIN'));
    const end = lines.findIndex((l) => l.includes('COMMITS-END'));
    expect(begin).toBeGreaterThanOrEqual(0);
    expect(end).toBeGreaterThan(begin);
    // A call another thread interrupts is logged in two lines (`fsync(82 <unfinished ...>`): count starts.
    const syncs = lines.slice(begin, end).filter((l) => /\b(fsync|fdatasync)\(\d+/.test(l));
    expect(syncs.length).toBeGreaterThanOrEqual(COMMITS);
  });
});
