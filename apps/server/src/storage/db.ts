import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import { type SQL, sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import type pg from 'pg';
import type { ReadBatchOptions } from '../kernel/read-batch.js';
import { secureDataDir } from './data-dir-permissions.js';
import { assertDurable, DURABLE_START_PARAMS, DurableNodeFS, syncTree } from './durable-pglite.js';
import { dropQueryParsers, keepDrizzleTextTypes } from './pglite-parsers.js';
import { PgliteThread } from './pglite-thread.js';
import { type QueryObserver, timeQueries } from './query-timing.js';
import * as schema from './schema.js';

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

/** The databases whose statements run on this thread's event loop (PGlite in process). */
const onEventLoop = new WeakSet<Db>();

/** How keyed reads on `db` are batched (kernel/read-batch.ts): they gather under load on PGlite in process. */
export function readBatching(db: Db): ReadBatchOptions | undefined {
  return onEventLoop.has(db) ? { gatherMs: 2 } : undefined;
}

export type StorageOptions =
  | {
      kind: 'pglite';
      dataDir: string | undefined;
      /** Runs the embedded database in a worker thread (DECENTRA_PGLITE_THREAD). */
      thread?: boolean;
    }
  | {
      kind: 'postgres';
      url: string;
      poolSize: number;
      /** Told of trouble the server survives but an operator should know (the worker id lost). */
      onProblem?: (message: string, err?: unknown) => void;
    };

/** One database, whichever engine: the rest of the server sees only `db` (Drizzle) and these. */
export interface Storage {
  readonly engine: 'pglite' | 'postgres';
  readonly db: Db;
  ping(): Promise<void>;
  /** A 10-bit id unique among live instances on this database (for snowflake ids). */
  claimWorkerId(): Promise<number>;
  /** From now on, tells `observer` how long every query takes (the metrics). */
  observeQueries(observer: QueryObserver): void;
  close(): Promise<void>;
}

const WORKER_LOCK_CLASS = 20_250_102;
const WORKER_IDS = 1024;

export async function openStorage(options: StorageOptions): Promise<Storage> {
  return options.kind === 'pglite'
    ? openPglite(options.dataDir, options.thread ?? false)
    : openPostgres(options.url, options.poolSize, options.onProblem ?? (() => {}));
}

/**
 * PostgreSQL's default 128 MB of shared buffers is sized for a dedicated server; inside the chat
 * server's own process it is resident memory the box may want back. 32 MB holds the working set of
 * a community's recent messages; PostgreSQL proper (DATABASE_URL) keeps its own settings.
 */
const PGLITE_CONF = ['shared_buffers=32MB'];

async function openPglite(dataDir: string | undefined, thread: boolean): Promise<Storage> {
  let path: string | undefined;
  if (dataDir !== undefined) {
    path = join(dataDir, 'pgdata');
    mkdirSync(path, { recursive: true });
    if (!existsSync(join(path, 'PG_VERSION'))) {
      await initPgliteElsewhere(path);
      // initdb made its files world-writable: owner-only before anything else opens them.
      secureDataDir(dataDir);
      syncTree(path);
    }
  }
  let observer: QueryObserver | undefined;
  const opened = thread ? await inThread(path, () => observer) : await inProcess(path, () => observer);
  const { db, client } = opened;
  return {
    engine: 'pglite',
    db,
    observeQueries: (next) => {
      observer = next;
    },
    ping: async () => {
      await client.query('select 1');
    },
    // The embedded database is single-process by construction (data-dir lock).
    claimWorkerId: async () => 0,
    close: async () => {
      if (!client.closed) await client.close();
    },
  };
}

interface EmbeddedClient {
  query(sql: string): Promise<unknown>;
  readonly closed: boolean;
  close(): Promise<void>;
}

/** PGlite on this thread: every statement runs on the event loop. */
async function inProcess(
  path: string | undefined,
  observer: () => QueryObserver | undefined,
): Promise<{ db: Db; client: EmbeddedClient }> {
  // In memory (tests that ask for it) there is nothing to sync.
  const client =
    path === undefined
      ? await PGlite.create({ postgresqlconf: PGLITE_CONF })
      : await PGlite.create({
          fs: new DurableNodeFS(path),
          startParams: [...DURABLE_START_PARAMS],
          postgresqlconf: PGLITE_CONF,
        });
  if (path !== undefined) await assertDurable(client);
  keepDrizzleTextTypes(client);
  dropQueryParsers(client);
  timeQueries(client, observer);
  // A transaction's queries run on the object it hands its callback.
  const transaction = client.transaction.bind(client);
  client.transaction = (callback) =>
    transaction((tx) => {
      dropQueryParsers(tx);
      timeQueries(tx, observer);
      return callback(tx);
    });
  const db = drizzlePglite(client, { schema });
  onEventLoop.add(db);
  return { db, client };
}

/**
 * PGlite in its own worker thread (pglite-thread.ts; DECENTRA_PGLITE_THREAD), which also checks
 * that it runs durably: statements no longer hold the event loop.
 */
async function inThread(
  path: string | undefined,
  observer: () => QueryObserver | undefined,
): Promise<{ db: Db; client: EmbeddedClient }> {
  const client = await PgliteThread.start({ path, postgresqlconf: PGLITE_CONF });
  timeQueries(client, observer);
  const transaction = client.transaction.bind(client);
  client.transaction = (callback) =>
    transaction((tx) => {
      timeQueries(tx, observer);
      return callback(tx);
    });
  // Drizzle's PGlite driver calls only query() and transaction() on its client (and on a
  // transaction's), which PgliteThread answers as PGlite does; its type names the whole class.
  return { db: drizzlePglite({ client: client as unknown as PGlite, schema }), client };
}

/**
 * Creates a new data folder (initdb) in a short-lived child process. initdb grows the WebAssembly
 * heap to ~800 MB and a heap never shrinks: done in this process, the server would carry that for
 * the rest of its life. Opened afterwards, the same folder costs ~200 MB.
 */
async function initPgliteElsewhere(path: string): Promise<void> {
  const script = `const { PGlite } = await import(process.argv[1]);
const db = await PGlite.create(process.argv[2], { postgresqlconf: JSON.parse(process.argv[3]) });
await db.close();`;
  const pglite = import.meta.resolve('@electric-sql/pglite');
  await promisify(execFile)(
    process.execPath,
    ['--input-type=module', '-e', script, pglite, path, JSON.stringify(PGLITE_CONF)],
    { timeout: 120_000 },
  );
}

async function openPostgres(
  url: string,
  poolSize: number,
  onProblem: (message: string, err?: unknown) => void,
): Promise<Storage> {
  // The PostgreSQL driver is loaded only for DATABASE_URL (the embedded engine needs none of it).
  const [{ default: pgModule }, { drizzle: drizzlePg }] = await Promise.all([
    import('pg'),
    import('drizzle-orm/node-postgres'),
  ]);
  const pool = new pgModule.Pool({ connectionString: url, max: poolSize, connectionTimeoutMillis: 10_000 });
  // An idle client that errors (server restart) must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  let observer: QueryObserver | undefined;
  // Every query, pooled or in a transaction, runs on one of the pool's clients.
  pool.on('connect', (client) => timeQueries(client, () => observer));
  const db = drizzlePg(pool, { schema });
  let workerClient: pg.PoolClient | undefined;
  let workerId: number | undefined;
  let reclaimTimer: NodeJS.Timeout | undefined;
  let closed = false;

  const tryLock = (client: pg.PoolClient, n: number) =>
    client
      .query<{ ok: boolean }>('select pg_try_advisory_lock($1, $2) as ok', [WORKER_LOCK_CLASS, n])
      .then((r) => r.rows[0]?.ok === true);
  /** A client of its own that holds the worker id's lock for as long as it lives. */
  const lockHolder = async (): Promise<pg.PoolClient> => {
    const client = await pool.connect();
    // The connection dies with the database (restart, pg_terminate_backend): an unhandled error
    // event would end the process. The lock died with it: take it again once the database is back.
    client.on('error', () => lost(client));
    return client;
  };
  const lost = (client: pg.PoolClient) => {
    if (workerClient !== client) return;
    workerClient = undefined;
    client.release(true);
    scheduleReclaim();
  };
  const scheduleReclaim = () => {
    if (closed || workerId === undefined || reclaimTimer) return;
    reclaimTimer = setTimeout(() => {
      reclaimTimer = undefined;
      void reclaim();
    }, 1_000);
    reclaimTimer.unref();
  };
  const reclaim = async () => {
    if (closed || workerId === undefined) return;
    try {
      const client = await lockHolder();
      if (await tryLock(client, workerId)) {
        workerClient = client;
        return;
      }
      client.release();
      onProblem(
        `worker id ${workerId} was taken by another instance while the database was away: new ids may collide; restart this instance`,
      );
    } catch {
      scheduleReclaim();
    }
  };

  await db.execute(sql`select 1`);
  return {
    engine: 'postgres',
    db,
    observeQueries: (next) => {
      observer = next;
    },
    ping: async () => {
      await pool.query('select 1');
    },
    claimWorkerId: async () => {
      // A session-level advisory lock held for the life of the process marks the id as taken.
      workerClient ??= await lockHolder();
      for (let n = 0; n < WORKER_IDS; n++) {
        if (await tryLock(workerClient, n)) {
          workerId = n;
          return n;
        }
      }
      throw new Error('all 1024 worker ids are taken on this database');
    },
    close: async () => {
      if (closed) return;
      closed = true;
      clearTimeout(reclaimTimer);
      workerClient?.release(true);
      workerClient = undefined;
      await pool.end();
    },
  };
}

/** Rows of a raw SQL query, on either engine (both drivers answer `{rows}`). */
export async function executeRows<T>(db: Db, query: SQL): Promise<T[]> {
  const result: unknown = await db.execute(query);
  if (!hasRows<T>(result)) throw new Error('the driver answered a raw query without rows');
  return result.rows;
}

/** The rows' shape is the query's (the caller names it); only their presence is checked here. */
function hasRows<T>(result: unknown): result is { rows: T[] } {
  return typeof result === 'object' && result !== null && 'rows' in result && Array.isArray(result.rows);
}
