import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GENERATED_KEY_FILE } from '../infra/encryption-key.js';

/** The secrets a backup carries beside the database. */
export interface BackupKeys {
  /** The key that seals stored secrets (SMTP password, known devices): encryption.key's text. */
  encryptionKey: Buffer | undefined;
  /** The self-signed certificate the data folder holds (TLS from files is the operator's own). */
  tls: { cert: Buffer; key: Buffer } | undefined;
}

const TLS_DIR = 'tls';

/** The key in use (DECENTRA_ENCRYPTION_KEY, else the data folder's) and the data folder's TLS files. */
export function readKeys(dataDir: string, configuredKey: Buffer | undefined): BackupKeys {
  const keyFile = join(dataDir, GENERATED_KEY_FILE);
  const encryptionKey =
    configuredKey !== undefined
      ? Buffer.from(`${configuredKey.toString('hex')}\n`)
      : existsSync(keyFile)
        ? readFileSync(keyFile)
        : undefined;
  const cert = join(dataDir, TLS_DIR, 'cert.pem');
  const key = join(dataDir, TLS_DIR, 'key.pem');
  const tls =
    existsSync(cert) && existsSync(key) ? { cert: readFileSync(cert), key: readFileSync(key) } : undefined;
  return { encryptionKey, tls };
}

/** What of the keys' places in the data folder is taken already (a restore writes none of them over). */
export function keysPresent(dataDir: string): string[] {
  return [GENERATED_KEY_FILE, TLS_DIR].filter((name) => existsSync(join(dataDir, name)));
}

export function writeKeys(dataDir: string, keys: BackupKeys): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (keys.encryptionKey) {
    const file = join(dataDir, GENERATED_KEY_FILE);
    writeFileSync(file, keys.encryptionKey, { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600);
  }
  if (keys.tls) {
    const dir = join(dataDir, TLS_DIR);
    mkdirSync(dir, { mode: 0o700 });
    writeFileSync(join(dir, 'key.pem'), keys.tls.key, { mode: 0o600, flag: 'wx' });
    writeFileSync(join(dir, 'cert.pem'), keys.tls.cert, { mode: 0o600, flag: 'wx' });
  }
}
