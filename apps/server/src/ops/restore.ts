import { createReadStream, existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { decodeKey, loadConfig } from '../config.js';
import { secureDataDir } from '../storage/data-dir-permissions.js';
import { keysPresent, writeKeys } from './backup-keys.js';
import { OperationError, parseCli, runCli, UsageError } from './cli.js';
import { hasEmbeddedDatabase, openConfigured } from './open-target.js';
import { isEmptyDatabase, restoreBackup } from './restore-backup.js';

const HELP = `Usage: npm run restore -- FILE

Restores a backup made by \`npm run backup\` into an empty database: DATABASE_URL (PostgreSQL) when
set, else a new embedded one in DECENTRA_DATA_DIR (default ./data). Its keys go into the data
folder (encryption.key, tls/). A backup of either engine restores into either.

A database that has tables, or a data folder that holds a database or keys, is refused and left
as it was; so is a damaged or cut-short archive. Stop nothing: nothing may run on the target yet.`;

async function main(): Promise<void> {
  const { positionals, help } = parseCli(process.argv.slice(2), []);
  if (help) {
    console.log(HELP);
    return;
  }
  const [file, ...extra] = positionals;
  if (!file || extra.length > 0) throw new UsageError('give the one backup file to restore');
  if (!existsSync(file)) throw new OperationError(`${file} does not exist`);
  process.umask(0o077);
  const config = loadConfig();
  const { dataDir } = config;
  const taken = keysPresent(dataDir);
  const where =
    config.database.kind === 'postgres' ? 'the database at DATABASE_URL' : `the data folder ${dataDir}`;
  if (config.database.kind === 'pglite' && hasEmbeddedDatabase(dataDir)) {
    throw new OperationError(
      `${where} holds a database already: restore into an empty one (nothing was changed)`,
    );
  }
  if (taken.length > 0) {
    throw new OperationError(
      `the data folder ${dataDir} holds ${taken.join(' and ')} already: restore into an empty data folder (nothing was changed)`,
    );
  }
  // As the server makes it: the user's alone, and refused if others can write it.
  if (config.database.kind === 'pglite') mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (existsSync(dataDir)) secureDataDir(dataDir);
  const opened = await openConfigured(config);
  let result: Awaited<ReturnType<typeof restoreBackup>>;
  try {
    if (!(await isEmptyDatabase(opened.storage.db))) {
      throw new OperationError(`${where} is not empty: restore into an empty database (nothing was changed)`);
    }
    result = await restoreBackup(opened.storage.db, createReadStream(file));
    await opened.close();
  } catch (err) {
    await opened.close();
    // The embedded database was made by this restore: it goes, so the folder is as it was.
    if (config.database.kind === 'pglite') rmSync(join(dataDir, 'pgdata'), { recursive: true, force: true });
    throw err;
  }
  writeKeys(dataDir, result.keys);
  const { manifest, keys } = result;
  const rows = manifest.tables.reduce((n, t) => n + t.rows, 0);
  console.log(
    `Restored the backup of ${manifest.createdAt} (${manifest.engine}, Decentra ${manifest.decentraVersion}): ${manifest.tables.length} tables, ${rows} rows, into ${where}.`,
  );
  if (keys.encryptionKey) console.log(`The encryption key is in ${join(dataDir, 'encryption.key')}.`);
  const archived = keys.encryptionKey ? decodeKey(keys.encryptionKey.toString('utf8')) : undefined;
  if (config.encryptionKey && archived && !config.encryptionKey.equals(archived)) {
    console.log(
      "DECENTRA_ENCRYPTION_KEY differs from the key in the backup: set it to the backup's key (the file above), or stored secrets will not decrypt.",
    );
  }
}

runCli('restore', main);
