import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RestClient } from '@decentra/client';
import type { SmtpSettingsInput } from '@decentra/protocol';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allRows, runOp } from '../../test/ops.js';
import { befriend, PASSWORD, people, restClient, serverWith, textChannelOf } from '../../test/people.js';
import { pinnedFetch } from '../../test/pinned-fetch.js';
import { exited, SpawnedServers } from '../../test/spawned-server.js';
import { createTestDatabase, ENGINE, type TestDatabase } from '../../test/test-db.js';
import { startTestServer } from '../../test/test-server.js';
import { SmtpSettingsStore } from '../features/admin/smtp-settings.js';
import { openStorage } from '../storage/db.js';

const SERVER_DIR = fileURLToPath(new URL('../..', import.meta.url));
const spawned = new SpawnedServers(['--import', 'tsx', 'src/main.ts'], SERVER_DIR);
const SMTP: SmtpSettingsInput = {
  enabled: true,
  host: 'mail.example.org',
  port: 587,
  security: 'starttls',
  username: 'decentra',
  password: 'moved-along',
  fromAddress: 'chat@example.org',
  fromName: 'Chat',
};

async function rowsAt(
  database: { kind: 'pglite'; dataDir: string } | { kind: 'postgres'; url: string; poolSize: number },
) {
  const storage = await openStorage(database);
  try {
    return await allRows(storage.db);
  } finally {
    await storage.close();
  }
}

// Needs a PostgreSQL to move to: runs in the postgres project, once.
describe.runIf(ENGINE === 'postgres')('npm run migrate-to-postgres', () => {
  let embedded: TestDatabase;
  const targets: TestDatabase[] = [];
  const target = async () => {
    const db = await createTestDatabase('postgres');
    targets.push(db);
    return db;
  };

  beforeAll(async () => {
    embedded = await createTestDatabase('pglite');
    // The key generated into the data folder, as an install without DECENTRA_ENCRYPTION_KEY has it.
    const server = await startTestServer({
      db: embedded,
      config: { encryptionKey: undefined },
      sendLimits: { points: 1000, windowSeconds: 5 },
    });
    const [ada, bea, cy] = await people(server.url, ['ada', 'bea', 'cy'] as const);
    const town = await serverWith(ada, 'Town', [bea, cy]);
    for (let i = 0; i < 20; i++) {
      await (i % 2 ? bea : cy).rest.sendMessage({
        channelId: textChannelOf(town),
        content: `m${i}`,
        nonce: `n${i}`,
      });
    }
    await befriend(ada, bea);
    await befriend(cy, bea);
    const dm = await bea.rest.openDm({ userId: cy.id });
    await bea.rest.sendMessage({ channelId: dm.id, content: 'psst', nonce: 'dm' });
    await ada.rest.putAdminSettings({ smtp: SMTP });
    await server.close({ keepData: true });
  }, 120_000);
  afterAll(async () => {
    spawned.killAll();
    for (const db of [...targets, embedded]) await db.drop();
  });

  it('refuses a data folder a running server holds; that server is backed up through itself (HTTPS)', async () => {
    const { child, url } = await spawned.start({ DECENTRA_DATA_DIR: embedded.dataDir });
    try {
      const db = await target();
      const refused = await runOp(
        'migrate-to-postgres',
        [db.database.kind === 'postgres' ? db.database.url : ''],
        {
          DECENTRA_DATA_DIR: embedded.dataDir,
        },
      );
      expect(refused.code).toBe(1);
      expect(refused.stderr.trim()).toMatch(
        /^migrate-to-postgres: stop the server first: The data folder .* is in use by another Decentra process \(pid \d+\)\.$/,
      );

      const ca = readFileSync(join(embedded.dataDir, 'tls', 'cert.pem'), 'utf8');
      const https = new RestClient({ baseUrl: url, fetch: pinnedFetch(ca) });
      const token = (await https.login({ username: 'ada', password: PASSWORD })).token;
      const archive = join(mkdtempSync(join(tmpdir(), 'live-')), 'live.tar.gz');
      const noToken = await runOp('backup', ['--out', archive], {
        DECENTRA_DATA_DIR: embedded.dataDir,
        DECENTRA_TLS: 'on',
      });
      expect(noToken.code).toBe(1);
      expect(noToken.stderr).toMatch(/in use by a running server: give an admin's token/);
      // No --url: the address is the configuration's (PORT, TLS), the certificate the data folder's.
      const live = await runOp('backup', ['--out', archive], {
        DECENTRA_DATA_DIR: embedded.dataDir,
        DECENTRA_TLS: 'on',
        PORT: new URL(url).port,
        DECENTRA_TOKEN: token,
      });
      expect(live.stderr).toBe('');
      expect(live.stdout).toMatch(/^Backed up pglite/);
      expect(statSync(archive).mode & 0o777).toBe(0o600);
    } finally {
      child.kill('SIGTERM');
      await exited(child);
    }
  }, 120_000);

  it('refuses a database that is not empty, and changes nothing', async () => {
    const db = await target();
    if (db.database.kind !== 'postgres') throw new Error('postgres expected');
    const storage = await openStorage(db.database);
    await storage.db.execute(sql`create table notes (id int primary key)`);
    await storage.close();
    const r = await runOp('migrate-to-postgres', [db.database.url], { DECENTRA_DATA_DIR: embedded.dataDir });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      'migrate-to-postgres: the database at DATABASE_URL is not empty: move into an empty one (nothing was changed)',
    );
    expect([...(await rowsAt(db.database)).keys()]).toEqual(['notes']);
  }, 60_000);

  it('moves every row with its ids, checks the counts, and the server then runs on PostgreSQL with the same people and key', async () => {
    const db = await target();
    if (db.database.kind !== 'postgres') throw new Error('postgres expected');
    const r = await runOp('migrate-to-postgres', [db.database.url], { DECENTRA_DATA_DIR: embedded.dataDir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/messages\s+21/);
    expect(r.stdout).toMatch(/Next: set DATABASE_URL/);

    const before = await rowsAt({ kind: 'pglite', dataDir: embedded.dataDir });
    const after = await rowsAt(db.database);
    expect(after).toEqual(before);
    for (const table of ['users', 'servers', 'messages', 'dm_channels', 'friendships']) {
      expect(after.get(table)?.length, table).toBeGreaterThan(0);
    }

    const server = await startTestServer({
      db: { ...db, dataDir: embedded.dataDir },
      config: { encryptionKey: undefined },
    });
    try {
      const bea = await restClient(server.url).login({ username: 'bea', password: PASSWORD });
      expect(bea.user.username).toBe('bea');
      const smtp = await new SmtpSettingsStore(server.app.storage.db, server.app.encryptionKey).config();
      expect(smtp?.password).toBe(SMTP.password);
      expect(server.app.storage.engine).toBe('postgres');
    } finally {
      await server.app.close();
    }
  }, 120_000);
});
