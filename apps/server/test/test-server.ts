import { Writable } from 'node:stream';
import { type AppOptions, createApp, type DecentraApp } from '../src/app.js';
import type { Config } from '../src/config.js';
import { createLogger } from '../src/infra/logger.js';
import { createTestDatabase, type TestDatabase } from './test-db.js';

export interface TestServer {
  app: DecentraApp;
  url: string;
  wsUrl: string;
  db: TestDatabase;
  /** Every log line the server wrote, for tests that check what must never be logged. */
  logs: string[];
  /** Stops the server; `keepData` leaves the database for a restart. */
  close(options?: { keepData?: boolean }): Promise<void>;
}

export interface TestServerOptions extends Partial<Omit<AppOptions, 'config'>> {
  config?: Partial<Config>;
  db?: TestDatabase;
}

export function testConfig(db: TestDatabase, overrides: Partial<Config> = {}): Config {
  return {
    env: 'test',
    port: 0,
    host: '127.0.0.1',
    dataDir: db.dataDir,
    database: db.database,
    redisUrl: undefined,
    tls: { mode: 'off' },
    encryptionKey: Buffer.alloc(32, 7),
    workerId: undefined,
    sessionTtlMs: 30 * 24 * 60 * 60 * 1000,
    trustProxy: false,
    iceServers: [],
    logLevel: 'info',
    ...overrides,
  };
}

/** A real Decentra on a random port, in this process, on a fresh database of the engine under test. */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const db = options.db ?? (await createTestDatabase());
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logs.push(String(chunk));
      cb();
    },
  });
  const config = testConfig(db, options.config);
  const app = await createApp({ ...options, config, logger: options.logger ?? createLogger('debug', sink) });
  const url = await app.listen();
  return {
    app,
    url,
    wsUrl: `${url.replace(/^http/, 'ws')}/ws`,
    db,
    logs,
    async close({ keepData = false } = {}) {
      await app.close();
      if (!keepData) await db.drop();
    },
  };
}
