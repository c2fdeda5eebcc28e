import { randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeKey } from '../config.js';
import type { Logger } from './logger.js';

export const GENERATED_KEY_FILE = 'encryption.key';

/**
 * The key that seals secrets at rest. Taken from DECENTRA_ENCRYPTION_KEY when set; otherwise
 * (never in production: config refuses that) generated once into the data folder, mode 0600.
 */
export function resolveEncryptionKey(configured: Buffer | undefined, dataDir: string, log: Logger): Buffer {
  if (configured) return configured;
  const file = join(dataDir, GENERATED_KEY_FILE);
  let existing: string | undefined;
  try {
    existing = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (existing !== undefined) {
    const key = decodeKey(existing);
    if (!key)
      throw new Error(`${file} does not hold a 32-byte key; restore it or set DECENTRA_ENCRYPTION_KEY`);
    log.warn({ file }, 'DECENTRA_ENCRYPTION_KEY is not set: using the key generated in the data folder');
    return key;
  }
  const key = randomBytes(32);
  writeFileSync(file, `${key.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  log.warn(
    { file },
    'DECENTRA_ENCRYPTION_KEY is not set: generated a new key in the data folder. Back it up, or set DECENTRA_ENCRYPTION_KEY; losing it makes stored secrets unreadable',
  );
  return key;
}
