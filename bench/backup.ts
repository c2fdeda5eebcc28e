/**
 * Backup and restore of a large install on PostgreSQL (BENCH_DATABASE_URL, default the local
 * server's `test` database, used only to make and drop a scratch database): BENCH_MESSAGES
 * messages (default 1,000,000) seeded with generate_series, then `npm run backup`'s command and
 * `npm run restore`'s, spawned as the operator runs them. Reports their wall time, the archive's
 * size and the database's, and the machine.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

const ROOT = new URL('..', import.meta.url).pathname;
const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 1_000_000);
const USERS = 1000;

/** The install: USERS people in one server's channel, MESSAGES messages of chat-line length. */
const SEED = [
  `insert into users (id, username, password_hash) select g, 'user' || g, 'x' from generate_series(1, ${USERS}) g`,
  `insert into servers (id, name, owner_id) values (1, 'bench', 1)`,
  `insert into channels (id, server_id, type, name) values (1, 1, 'text', 'general')`,
  `insert into server_members (server_id, user_id) select 1, g from generate_series(1, ${USERS}) g`,
  `insert into messages (id, channel_id, author_id, content, created_at)
   select (g::bigint << 22), 1, 1 + g % ${USERS}, 'message number ' || g || ' with a little text to make it a typical chat line', now() - interval '1 second' * (${MESSAGES} - g)
   from generate_series(1, ${MESSAGES}) g`,
  'vacuum analyze',
];

const urlOf = (name: string) => {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
};

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** One of the operator commands, spawned as `npm run` would (tsx); its wall time in ms. */
function op(name: string, args: string[], env: Record<string, string>): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', `apps/server/src/ops/${name}.ts`, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`${name} failed: ${r.stderr}`);
  return performance.now() - t0;
}

async function main(): Promise<void> {
  const tag = Math.random().toString(36).slice(2, 8);
  const [source, target] = [`bench_backup_${tag}`, `bench_restore_${tag}`];
  const dir = mkdtempSync(join(tmpdir(), 'bench-backup-'));
  await withClient(ADMIN_URL, async (c) => {
    await c.query(`create database ${source}`);
    await c.query(`create database ${target}`);
  });
  try {
    // The server's own start migrates the schema; the rows come straight from SQL.
    const { migrate } = await import('../apps/server/src/storage/migrate.js');
    const { openStorage } = await import('../apps/server/src/storage/db.js');
    const storage = await openStorage({ kind: 'postgres', url: urlOf(source), poolSize: 1 });
    await migrate(storage.db);
    await storage.close();
    const t0 = performance.now();
    await withClient(urlOf(source), async (c) => {
      for (const statement of SEED) await c.query(statement);
    });
    const seedMs = performance.now() - t0;
    const dbSize = await withClient(urlOf(source), async (c) =>
      Number(
        (await c.query<{ n: string }>('select pg_database_size(current_database())::text as n')).rows[0]?.n,
      ),
    );

    const archive = join(dir, 'backup.tar.gz');
    const backupMs = op('backup', ['--out', archive], {
      DATABASE_URL: urlOf(source),
      DECENTRA_DATA_DIR: join(dir, 'a'),
    });
    const size = statSync(archive).size;
    const restoreMs = op('restore', [archive], {
      DATABASE_URL: urlOf(target),
      DECENTRA_DATA_DIR: join(dir, 'b'),
    });

    const cpu = cpus();
    console.log(`machine: ${cpu.length} × ${cpu[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB`);
    console.log(
      `seeded ${MESSAGES} messages in ${(seedMs / 1000).toFixed(1)} s; database ${(dbSize / 1e6).toFixed(0)} MB`,
    );
    console.log(
      `backup:  ${(backupMs / 1000).toFixed(1)} s (the command, start to end), archive ${(size / 1e6).toFixed(1)} MB`,
    );
    console.log(`restore: ${(restoreMs / 1000).toFixed(1)} s into an empty database`);
    await embedded(dir);
  } finally {
    await withClient(ADMIN_URL, async (c) => {
      await c.query(`drop database if exists ${source} with (force)`);
      await c.query(`drop database if exists ${target} with (force)`);
    });
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The same install on the embedded engine, backed up with no server running (the folder opened directly). */
async function embedded(dir: string): Promise<void> {
  const { sql } = await import('drizzle-orm');
  const { migrate } = await import('../apps/server/src/storage/migrate.js');
  const { openStorage } = await import('../apps/server/src/storage/db.js');
  const dataDir = join(dir, 'embedded');
  const storage = await openStorage({ kind: 'pglite', dataDir });
  await migrate(storage.db);
  for (const statement of SEED) await storage.db.execute(sql.raw(statement));
  await storage.close();
  const archive = join(dir, 'embedded.tar.gz');
  const backupMs = op('backup', ['--out', archive], { DECENTRA_DATA_DIR: dataDir });
  const restoreMs = op('restore', [archive], { DECENTRA_DATA_DIR: join(dir, 'embedded-restored') });
  console.log(
    `embedded: backup ${(backupMs / 1000).toFixed(1)} s, archive ${(statSync(archive).size / 1e6).toFixed(1)} MB, restore ${(restoreMs / 1000).toFixed(1)} s`,
  );
}

await main();
