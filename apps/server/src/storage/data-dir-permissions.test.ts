import { chmodSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase, ENGINE, type TestDatabase } from '../../test/test-db.js';
import { startTestServer } from '../../test/test-server.js';
import { DataDirPermissionError } from './data-dir-permissions.js';

/**
 * Every folder under `dir` (itself included) that is not owner-only, and every file anyone else may
 * write, as `mode path`. (Files the embedded engine makes while it runs can be 0644; the folders
 * around them let nobody else in.)
 */
function loose(dir: string): string[] {
  const found: string[] = [];
  const mode = statSync(dir).mode & 0o777;
  if (mode !== 0o700) found.push(`${mode.toString(8)} ${dir}`);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const fileMode = statSync(path).mode & 0o777;
    if (entry.isDirectory()) found.push(...loose(path));
    else if (entry.isFile() && fileMode & 0o022) found.push(`${fileMode.toString(8)} ${path}`);
  }
  return found;
}

describe('the data folder is the server user’s alone', () => {
  let db: TestDatabase | undefined;
  afterEach(async () => {
    await db?.drop();
    db = undefined;
  });

  it('has owner-only folders and no file another user can write, after a start that made a database and keys', async () => {
    db = await createTestDatabase();
    const server = await startTestServer({ db });
    expect(loose(db.dataDir)).toEqual([]);
    await server.close({ keepData: true });
    // On PostgreSQL (key given, TLS off) the folder stays empty; on the embedded engine it holds it.
    if (ENGINE === 'pglite') expect(readdirSync(join(db.dataDir, 'pgdata')).length).toBeGreaterThan(0);
    expect(loose(db.dataDir)).toEqual([]);
  });

  it('tightens a loose file inside, and refuses a folder other users can write', async () => {
    db = await createTestDatabase();
    const stray = join(db.dataDir, 'notes.txt');
    writeFileSync(stray, 'x');
    chmodSync(stray, 0o666);
    const server = await startTestServer({ db });
    await server.close({ keepData: true });
    expect(statSync(stray).mode & 0o777).toBe(0o600);

    chmodSync(db.dataDir, 0o777);
    const refused = await startTestServer({ db }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(DataDirPermissionError);
    expect((refused as Error).message).toMatch(/can be written by other users \(mode 777\).*chmod -R go-rwx/);
    chmodSync(db.dataDir, 0o700);
  });
});
