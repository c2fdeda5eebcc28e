import { closeSync, fsyncSync, openSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { type PGlite, PGlite as PGliteClass } from '@electric-sql/pglite';
import { NodeFS } from '@electric-sql/pglite/nodefs';

/**
 * PGlite as shipped keeps nothing it acknowledges through a power cut: it starts PostgreSQL with
 * `-F` (fsync off), Emscripten's `fdatasync()` (PostgreSQL's default WAL sync) does nothing, and
 * Emscripten's Node filesystem has no `fsync` at all. So: no `-F`, WAL flushed with `fsync()`
 * (wal_sync_method=fsync), and that `fsync()` given to the real one. A commit then returns only
 * after its WAL is on disk, as on PostgreSQL proper; the group commit makes that one sync for many
 * messages.
 */
export const DURABLE_START_PARAMS: readonly string[] = [
  ...PGliteClass.defaultStartParams.filter((p) => p !== '-F'),
  '-c',
  'wal_sync_method=fsync',
];

/** The settings a durable embedded database runs with; checked after every open. */
const REQUIRED_SETTINGS = { fsync: 'on', wal_sync_method: 'fsync', synchronous_commit: 'on' } as const;

/** PGlite's Node filesystem, with `fsync()` reaching the disk. */
export class DurableNodeFS extends NodeFS {
  override async init(...args: Parameters<NodeFS['init']>): ReturnType<NodeFS['init']> {
    const { emscriptenOpts } = await super.init(...args);
    return {
      emscriptenOpts: {
        ...emscriptenOpts,
        // After the parent's hook has mounted NODEFS: every file node shares its stream_ops.
        preRun: [...(emscriptenOpts.preRun ?? []), (mod) => syncThroughNode(mod.NODEFS)],
      },
    };
  }
}

/** Gives Emscripten's NODEFS the fsync it lacks (its streams carry the Node fd as `nfd`). */
function syncThroughNode(nodefs: object): void {
  const ops: unknown = Reflect.get(nodefs, 'stream_ops');
  if (typeof ops !== 'object' || ops === null) throw new Error('PGlite: NODEFS has no stream_ops');
  Reflect.set(ops, 'fsync', (stream: unknown) => {
    const fd: unknown =
      typeof stream === 'object' && stream !== null ? Reflect.get(stream, 'nfd') : undefined;
    if (typeof fd === 'number') fsyncSync(fd);
    return 0;
  });
}

/** Refuses to run on an embedded database that would not keep what it acknowledges. */
export async function assertDurable(client: PGlite): Promise<void> {
  for (const [name, want] of Object.entries(REQUIRED_SETTINGS)) {
    const { rows } = await client.query<Record<string, string>>(`show ${name}`);
    const got = rows[0]?.[name];
    if (got !== want) throw new Error(`The embedded database runs with ${name}=${got}; it must be ${want}.`);
  }
}

/** fsyncs every file and folder under `dir` (a data folder just made by initdb in another process). */
export function syncTree(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) syncTree(path);
    else if (entry.isFile()) syncPath(path);
  }
  syncPath(dir);
}

function syncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
