import { createReadStream, createWriteStream, existsSync, renameSync, statSync, unlinkSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { type Config, loadConfig } from '../config.js';
import { DataDirLockedError } from '../storage/data-dir-lock.js';
import { readKeys } from './backup-keys.js';
import { OperationError, parseCli, runCli, UsageError } from './cli.js';
import { downloadBackup } from './download-backup.js';
import { hasEmbeddedDatabase, type OpenedStorage, openConfigured } from './open-target.js';
import { verifyArchive } from './verify-archive.js';
import { writeBackup } from './write-backup.js';

const HELP = `Usage: npm run backup -- --out FILE [--url URL] [--token TOKEN]

Writes a consistent backup of this Decentra (database, encryption key, TLS key) to FILE, a .tar.gz,
while the server runs. The database is the one the server's configuration names: DATABASE_URL
(PostgreSQL), else the embedded one in DECENTRA_DATA_DIR (default ./data).

An embedded database that a running server holds is backed up through that server, which needs
an admin's token (--token, or DECENTRA_TOKEN) and its address (--url; default from PORT and
DECENTRA_TLS, on 127.0.0.1 or HOST). --url asks a server on either engine.

The archive holds the keys: it is written readable by you alone (0600). Keep it as safe as the server.`;

async function main(): Promise<void> {
  const { options: values, help } = parseCli(process.argv.slice(2), ['out', 'url', 'token']);
  if (help) {
    console.log(HELP);
    return;
  }
  if (!values.out) throw new UsageError('--out FILE is needed');
  const outFile = values.out;
  if (existsSync(outFile)) throw new OperationError(`${outFile} exists already: name a new file`);
  process.umask(0o077);
  const config = loadConfig();
  const token = values.token ?? process.env.DECENTRA_TOKEN;
  const partial = `${outFile}.partial`;
  if (existsSync(partial)) {
    throw new OperationError(`${partial} exists: an earlier backup stopped midway; remove it and try again`);
  }
  const out = createWriteStream(partial, { flags: 'wx', mode: 0o600 });
  const fromServer = async (url: string) => {
    if (!token) {
      throw new OperationError(
        `the embedded database in ${config.dataDir} is in use by a running server: give an admin's token (--token or DECENTRA_TOKEN) to back it up through ${url}`,
      );
    }
    await downloadBackup(url, token, config.dataDir, out);
  };
  try {
    if (values.url) await fromServer(values.url);
    else if (config.database.kind === 'pglite' && !hasEmbeddedDatabase(config.dataDir)) {
      throw new OperationError(
        `there is no database in ${config.dataDir}: set DECENTRA_DATA_DIR to the data folder, or DATABASE_URL for PostgreSQL`,
      );
    } else {
      const opened = await openConfigured(config).catch((err: unknown) => {
        if (err instanceof DataDirLockedError) return undefined;
        throw err;
      });
      if (opened) await direct(opened, config, out);
      else await fromServer(serverAddress(config));
    }
    await finished(out);
    const manifest = await verifyArchive(createReadStream(partial));
    renameSync(partial, outFile);
    const rows = manifest.tables.reduce((n, t) => n + t.rows, 0);
    const mb = (statSync(outFile).size / 1e6).toFixed(1);
    console.log(
      `Backed up ${manifest.engine} (${manifest.tables.length} tables, ${rows} rows, ${manifest.createdAt}) to ${outFile} (${mb} MB).`,
    );
    if (manifest.keys.encryptionKey) {
      console.log('It holds the encryption key and the TLS key: readable by you alone (0600); keep it safe.');
    } else {
      console.log(
        `It holds no encryption key: DECENTRA_ENCRYPTION_KEY is not set here and ${config.dataDir} has no encryption.key. Keep the key the server uses with it, or stored secrets (the SMTP password) will not decrypt after a restore.`,
      );
    }
  } catch (err) {
    out.destroy();
    if (existsSync(partial)) unlinkSync(partial);
    throw err;
  }
}

/** Where this machine reaches the server the configuration describes. */
function serverAddress(config: Config): string {
  const anyAddress = config.host === '0.0.0.0' || config.host === '::';
  const host = anyAddress ? '127.0.0.1' : config.host.includes(':') ? `[${config.host}]` : config.host;
  return `${config.tls.mode === 'off' ? 'http' : 'https'}://${host}:${config.port}`;
}

async function direct(opened: OpenedStorage, config: Config, out: Writable): Promise<void> {
  try {
    await writeBackup(
      opened.storage.db,
      opened.storage.engine,
      readKeys(config.dataDir, config.encryptionKey),
      out,
    );
  } finally {
    await opened.close();
  }
}

runCli('backup', main);
