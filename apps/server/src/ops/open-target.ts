import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config.js';
import { type DataDirLock, lockDataDir } from '../storage/data-dir-lock.js';
import { openStorage, type Storage } from '../storage/db.js';
import { OperationError } from './cli.js';

/** A database the command opened itself, with the data folder's lock when it is the embedded one. */
export interface OpenedStorage {
  storage: Storage;
  close(): Promise<void>;
}

export function hasEmbeddedDatabase(dataDir: string): boolean {
  return existsSync(join(dataDir, 'pgdata', 'PG_VERSION'));
}

/** Opens the database the configuration names, as the server would; throws DataDirLockedError when a server runs on it. */
export async function openConfigured(config: Config): Promise<OpenedStorage> {
  if (config.database.kind === 'postgres') {
    const storage = await openStorage({ ...config.database, poolSize: 2 }).catch((err: unknown) => {
      // Drizzle wraps the driver's error in "Failed query: …": the cause says what is wrong.
      const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
      throw new OperationError(`could not connect to DATABASE_URL: ${(cause as Error).message}`);
    });
    return { storage, close: () => storage.close() };
  }
  return openEmbedded(config.dataDir);
}

export async function openEmbedded(dataDir: string): Promise<OpenedStorage> {
  const lock: DataDirLock = lockDataDir(dataDir);
  try {
    const storage = await openStorage({ kind: 'pglite', dataDir });
    return {
      storage,
      close: async () => {
        await storage.close();
        lock.release();
      },
    };
  } catch (err) {
    lock.release();
    throw err;
  }
}
