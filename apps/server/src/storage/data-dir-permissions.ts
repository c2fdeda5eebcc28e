import { chmodSync, lstatSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export class DataDirPermissionError extends Error {
  override name = 'DataDirPermissionError';
}

const FILE_MODE = 0o600;
const FOLDER_MODE = 0o700;

/**
 * The data folder holds the database, the encryption key and the TLS key: nobody but the user the
 * server runs as may touch any of it. A folder others can write is refused (someone may already
 * have changed the database: a person decides, not the server); anything inside that is looser
 * than owner-only (PGlite's initdb makes its files 0666) is tightened. Files the engine writes
 * later can be 0644, in folders that let nobody else in. Answers how many entries were tightened.
 */
export function secureDataDir(dir: string): number {
  const mode = statSync(dir).mode & 0o777;
  if (mode & 0o022) {
    throw new DataDirPermissionError(
      `The data folder ${dir} can be written by other users (mode ${mode.toString(8)}): anyone on this machine could change the database or make themselves admin. Check it, then make it yours alone: chmod -R go-rwx ${dir}`,
    );
  }
  return tighten(dir, true);
}

function tighten(path: string, isFolder: boolean): number {
  let changed = 0;
  const want = isFolder ? FOLDER_MODE : FILE_MODE;
  if ((lstatSync(path).mode & 0o777 & ~want) !== 0) {
    chmodSync(path, want);
    changed++;
  }
  if (!isFolder) return changed;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    // Symbolic links are left alone: chmod would follow them out of the folder.
    if (entry.isDirectory()) changed += tighten(join(path, entry.name), true);
    else if (entry.isFile()) changed += tighten(join(path, entry.name), false);
  }
  return changed;
}
