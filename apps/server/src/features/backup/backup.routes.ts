import { PassThrough } from 'node:stream';
import type { RouteHandlers } from '../../http/api.js';
import type { Logger } from '../../infra/logger.js';
import { readKeys } from '../../ops/backup-keys.js';
import { writeBackup } from '../../ops/write-backup.js';
import type { Storage } from '../../storage/db.js';

/**
 * The backup of a running server: the embedded database belongs to this process (a second one
 * cannot open the data folder), so `npm run backup` asks here. Streamed as it is written.
 */
export function backupRoutes(deps: {
  storage: Storage;
  dataDir: string;
  encryptionKey: Buffer;
  log: Logger;
}): RouteHandlers<'adminBackup'> {
  const { storage, dataDir, encryptionKey, log } = deps;
  return {
    adminBackup: async ({ auth, reply }) => {
      const archive = new PassThrough();
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      reply.header('content-disposition', `attachment; filename="decentra-backup-${stamp}.tar.gz"`);
      reply.header('cache-control', 'no-store');
      log.info({ by: auth.user.id.toString() }, 'backup started');
      writeBackup(storage.db, storage.engine, readKeys(dataDir, encryptionKey), archive).then(
        (manifest) => log.info({ tables: manifest.tables.length }, 'backup done'),
        (err: unknown) => {
          log.error({ err }, 'backup failed');
          // Cut the download short: an archive without its end is refused by restore.
          archive.destroy(err instanceof Error ? err : new Error(String(err)));
        },
      );
      return archive;
    },
  };
}
