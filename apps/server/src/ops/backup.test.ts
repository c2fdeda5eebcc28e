import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SmtpSettingsInput } from '@decentra/protocol';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allRows, runOp } from '../../test/ops.js';
import {
  befriend,
  PASSWORD,
  type Person,
  people,
  refused,
  restClient,
  serverWith,
  textChannelOf,
} from '../../test/people.js';
import { createTestDatabase, ENGINE, type TestDatabase } from '../../test/test-db.js';
import { startTestServer, type TestServer } from '../../test/test-server.js';
import { SmtpSettingsStore } from '../features/admin/smtp-settings.js';
import { executeRows, openStorage, type StorageOptions } from '../storage/db.js';
import { migrate } from '../storage/migrate.js';

const KEY_HEX = Buffer.alloc(32, 7).toString('hex');
const SMTP: SmtpSettingsInput = {
  enabled: true,
  host: 'mail.example.org',
  port: 587,
  security: 'starttls',
  username: 'decentra',
  password: 'sealed-with-the-key',
  fromAddress: 'chat@example.org',
  fromName: 'Chat',
};

/** The environment the commands read for a test database, as the server's would be. */
function envOf(db: TestDatabase): Record<string, string> {
  return {
    DECENTRA_DATA_DIR: db.dataDir,
    ...(db.database.kind === 'postgres' ? { DATABASE_URL: db.database.url } : {}),
  };
}

/** A community: an admin and two members, a server, friends, a DM, SMTP settings with a sealed password. */
async function community(
  url: string,
): Promise<{ admin: Person; bea: Person; cy: Person; channelId: string }> {
  const [admin, bea, cy] = await people(url, ['ada', 'bea', 'cy'] as const);
  const server = await serverWith(admin, 'Town', [bea, cy]);
  await befriend(admin, bea);
  const dm = await admin.rest.openDm({ userId: bea.id });
  await admin.rest.sendMessage({ channelId: dm.id, content: 'hello bea', nonce: 'dm-1' });
  await admin.rest.putAdminSettings({ smtp: SMTP });
  return { admin, bea, cy, channelId: textChannelOf(server) };
}

/** Rows of `restored` must be rows of `source`, table by table, exactly. */
/** Tables whose rows change in place as messages come: a snapshot's row need not be the source's now. */
const MOVING = new Set(['channel_heads', 'mention_heads']);

function expectSubset(restored: Map<string, string[]>, source: Map<string, string[]>): void {
  expect([...restored.keys()].sort()).toEqual([...source.keys()].sort());
  for (const [table, rows] of restored) {
    if (MOVING.has(table)) continue;
    const have = new Set(source.get(table));
    const foreign = rows.filter((r) => !have.has(r));
    expect(foreign, table).toEqual([]);
  }
}

const storageOf = (db: TestDatabase): StorageOptions =>
  db.database.kind === 'postgres' ? db.database : { kind: 'pglite', dataDir: db.dataDir };

/** The copy's channel heads, and how many of them are not its channel's newest message. */
async function headsOf(db: TestDatabase): Promise<{ heads: number; wrong: number }> {
  const storage = await openStorage(storageOf(db));
  try {
    const [row] = await executeRows<{ heads: number; wrong: number }>(
      storage.db,
      sql`with newest as (
            select distinct on (channel_id) channel_id, id as last_message_id, author_id from messages
            order by channel_id, id desc
          ), heads as (select channel_id, last_message_id, author_id from channel_heads)
          select (select count(*)::int from heads) as heads,
            (select count(*)::int from ((table heads except table newest)
              union all (table newest except table heads)) d) as wrong`,
    );
    return row ?? { heads: 0, wrong: -1 };
  } finally {
    await storage.close();
  }
}

async function rowsOf(db: TestDatabase): Promise<Map<string, string[]>> {
  const storage = await openStorage(storageOf(db));
  try {
    return await allRows(storage.db);
  } finally {
    await storage.close();
  }
}

const dbs: TestDatabase[] = [];
async function freshDb(engine = ENGINE): Promise<TestDatabase> {
  const db = await createTestDatabase(engine, { empty: true });
  dbs.push(db);
  return db;
}
afterAll(async () => {
  for (const db of dbs) await db.drop();
});

describe('npm run backup, under write load, then restore', () => {
  let source: TestServer;
  let admin: Person;
  let channelId: string;
  let sent: { id: string; at: number }[];
  let archive: string;
  let backupStarted: number;

  beforeAll(async () => {
    source = await startTestServer({ sendLimits: { points: 1_000_000, windowSeconds: 5 } });
    ({ admin, channelId } = await community(source.url));
    sent = [];
    let writing = true;
    const sender = async (n: number) => {
      for (let i = 0; writing; i++) {
        const m = await admin.rest.sendMessage({ channelId, content: `load ${n}.${i}`, nonce: `l${n}-${i}` });
        sent.push({ id: m.id, at: Date.now() });
      }
    };
    const senders = [0, 1, 2].map(sender);
    await new Promise((r) => setTimeout(r, 500));
    archive = join(mkdtempSync(join(tmpdir(), 'backup-')), 'b.tar.gz');
    backupStarted = Date.now();
    // PostgreSQL: the command reads the database itself. Embedded: this process's server holds the
    // data folder, so the command asks it, at the address the configuration gives (PORT).
    const result = await runOp('backup', ['--out', archive], {
      ...envOf(source.db),
      PORT: new URL(source.url).port,
      DECENTRA_TOKEN: admin.token,
      // The server's own configuration, as an operator's shell would have it.
      DECENTRA_ENCRYPTION_KEY: KEY_HEX,
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/keep it safe/);
    await new Promise((r) => setTimeout(r, 300));
    writing = false;
    await Promise.all(senders);
  }, 120_000);
  afterAll(() => source.close());

  it('writes the archive for its owner alone', () => {
    expect(statSync(archive).mode & 0o777).toBe(0o600);
  });

  // Either engine's backup into either (PostgreSQL when there is one to test against).
  for (const target of process.env.TEST_DATABASE_URL
    ? (['pglite', 'postgres'] as const)
    : (['pglite'] as const)) {
    it(`restores into an empty ${target} database: rows as of the snapshot, every acknowledged message, the key along`, async () => {
      const db = await freshDb(target);
      const restored = await runOp('restore', [archive], envOf(db));
      expect(restored.stderr).toBe('');
      expect(restored.code).toBe(0);

      const sourceRows = await allRows(source.app.storage.db);
      const copy = await rowsOf(db);
      expectSubset(copy, sourceRows);
      const messages = new Set(
        (copy.get('messages') ?? []).map((r) => String((JSON.parse(r) as { id: number | string }).id)),
      );
      const acked = sent.filter((m) => m.at < backupStarted);
      expect(acked.length).toBeGreaterThan(10);
      // JSON numbers lose digits past 2^53 in JS: compare ids as the database wrote them.
      const copyText = (copy.get('messages') ?? []).join('\n');
      for (const m of acked) expect(copyText.includes(`"id":${m.id},`), m.id).toBe(true);
      expect(messages.size).toBeLessThan(sourceRows.get('messages')?.length ?? 0);
      // The heads come as of the snapshot too: each the newest message of its channel in the copy.
      const heads = await headsOf(db);
      expect(heads.heads).toBeGreaterThan(0);
      expect(heads.wrong).toBe(0);
      for (const table of [
        'users',
        'servers',
        'server_members',
        'channels',
        'friendships',
        'dm_channels',
        'instance_settings',
        'schema_migrations',
      ]) {
        expect(copy.get(table), table).toEqual(sourceRows.get(table));
      }

      // The restored install serves: the same people log in, the sealed SMTP password opens with the restored key.
      const server = await startTestServer({ db, config: { encryptionKey: undefined } });
      try {
        const login = await restClient(server.url).login({ username: 'bea', password: PASSWORD });
        expect(login.user.username).toBe('bea');
        const smtp = await new SmtpSettingsStore(server.app.storage.db, server.app.encryptionKey).config();
        expect(smtp?.password).toBe(SMTP.password);
        expect(readFileSync(join(db.dataDir, 'encryption.key'), 'utf8').trim()).toBe(KEY_HEX);
        expect(statSync(join(db.dataDir, 'encryption.key')).mode & 0o777).toBe(0o600);
      } finally {
        await server.app.close();
      }
    }, 120_000);
  }

  it('refuses a target that is not empty, and changes nothing', async () => {
    // An installed Decentra: the migrated tables (and on PostgreSQL an empty data folder).
    const db = await freshDb(ENGINE);
    const installed = await openStorage(storageOf(db));
    await migrate(installed.db);
    await installed.close();
    const before = await rowsOf(db);
    const r = await runOp('restore', [archive], envOf(db));
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/holds a database already|is not empty/);
    expect(await rowsOf(db)).toEqual(before);

    // A data folder with keys (a database on PostgreSQL that is empty, but a folder in use) is refused too.
    const keyed = await freshDb(ENGINE);
    writeFileSync(join(keyed.dataDir, 'encryption.key'), `${KEY_HEX}\n`);
    const k = await runOp('restore', [archive], envOf(keyed));
    expect(k.code).toBe(1);
    expect(k.stderr).toMatch(/holds encryption.key already/);
  }, 60_000);

  it('refuses a damaged or cut-short archive with one line, and leaves the target empty', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bad-'));
    const cut = join(dir, 'cut.tar.gz');
    writeFileSync(cut, readFileSync(archive).subarray(0, Math.floor(statSync(archive).size / 2)));
    const junk = join(dir, 'junk.tar.gz');
    writeFileSync(junk, 'not an archive at all');
    for (const [file, message] of [
      [cut, /cut short|damaged|incomplete/],
      [junk, /damaged/],
    ] as const) {
      const db = await freshDb(ENGINE);
      const r = await runOp('restore', [file], envOf(db));
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
      // Nothing left behind: the same target takes the good archive.
      expect((await runOp('restore', [archive], envOf(db))).code).toBe(0);
    }
  }, 120_000);
});

describe.runIf(ENGINE === 'pglite')('npm run backup of a stopped embedded install', () => {
  it('opens the data folder itself; the copy equals the original in either engine', async () => {
    const source = await startTestServer({ config: { encryptionKey: undefined } });
    await community(source.url);
    await source.close({ keepData: true });
    dbs.push(source.db);
    const archive = join(mkdtempSync(join(tmpdir(), 'stopped-')), 'b.tar.gz');
    const made = await runOp('backup', ['--out', archive], envOf(source.db));
    expect(made.stderr).toBe('');
    expect(made.stdout).toMatch(/^Backed up pglite/);
    const original = await rowsOf(source.db);
    const targets = process.env.TEST_DATABASE_URL ? (['pglite', 'postgres'] as const) : (['pglite'] as const);
    for (const engine of targets) {
      // A data folder not made yet, as on a new machine (dropped with its parent).
      const made = await freshDb(engine);
      const db = { ...made, dataDir: join(made.dataDir, 'data') };
      expect((await runOp('restore', [archive], envOf(db))).code).toBe(0);
      expect(statSync(db.dataDir).mode & 0o777).toBe(0o700);
      expect(await rowsOf(db), engine).toEqual(original);
      expect(readFileSync(join(db.dataDir, 'encryption.key'))).toEqual(
        readFileSync(join(source.db.dataDir, 'encryption.key')),
      );
    }
  }, 120_000);
});

describe('the backup route', () => {
  let server: TestServer;
  let admin: Person;
  let member: Person;
  beforeAll(async () => {
    server = await startTestServer();
    [admin, member] = await people(server.url, ['root', 'pat'] as const);
  });
  afterAll(() => server.close());

  it('is the admin’s alone: 401 anonymous, 403 for a member', async () => {
    expect((await refused(restClient(server.url).adminBackup())).status).toBe(401);
    expect((await refused(member.rest.adminBackup())).status).toBe(403);
    const bytes = await admin.rest.adminBackup();
    // gzip's magic number: the SDK hands the archive over as bytes.
    expect([bytes[0], bytes[1]]).toEqual([0x1f, 0x8b]);
  });

  it('lets go of the database when the download is cut off (no snapshot left open, writes go on)', async () => {
    const channelId = textChannelOf(await admin.rest.createServer({ name: 'Big' }));
    // Random text, megabytes of it: more than the socket's buffers hold, so the writer must wait on the reader.
    await server.app.storage.db.execute(
      sql.raw(`insert into messages (id, channel_id, author_id, content)
               select 1000000 + g, ${channelId}, ${admin.id}, md5(random()::text) || md5(random()::text)
               from generate_series(1, 200000) g`),
    );
    const url = new URL('/api/admin/backup', server.url);
    await new Promise<void>((resolve, reject) => {
      const req = httpRequest(
        url,
        { method: 'POST', headers: { authorization: `Bearer ${admin.token}` } },
        (res) => {
          expect(res.statusCode).toBe(200);
          res.once('data', () => {
            req.destroy();
            resolve();
          });
        },
      );
      req.on('error', () => {});
      req.once('error', reject);
      req.end();
    });
    const sent = await Promise.race([
      admin.rest.sendMessage({ channelId, content: 'still here', nonce: 'after-cut' }),
      new Promise((r) => setTimeout(() => r('stuck'), 10_000)),
    ]);
    expect(sent).toMatchObject({ content: 'still here' });
  }, 60_000);
});

describe('the backup command', () => {
  it('answers --help, and one line for a mistake', async () => {
    const help = await runOp('backup', ['--help'], {});
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: npm run backup/);
    const none = await runOp('backup', [], {});
    expect(none.code).toBe(2);
    expect(none.stderr.trim()).toBe('backup: --out FILE is needed (see --help)');
    const dir = mkdtempSync(join(tmpdir(), 'nodb-'));
    chmodSync(dir, 0o700);
    const empty = await runOp('backup', ['--out', join(dir, 'x.tar.gz')], { DECENTRA_DATA_DIR: dir });
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/^backup: there is no database in/);
  });
});
