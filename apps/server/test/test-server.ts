import { Writable } from 'node:stream';
import { type AppOptions, createApp, type DecentraApp } from '../src/app.js';
import { type Config, DEFAULT_FILES_CONFIG, DEFAULT_VOICE_CONFIG, type VoiceConfig } from '../src/config.js';
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

/** A config's fields to change; voice settings one by one (the rest keep their defaults). */
export type ConfigOverrides = Partial<Omit<Config, 'voice'>> & { voice?: Partial<VoiceConfig> };

export interface TestServerOptions extends Partial<Omit<AppOptions, 'config'>> {
  config?: ConfigOverrides;
  db?: TestDatabase;
}

export function testConfig(db: TestDatabase, overrides: ConfigOverrides = {}): Config {
  const { voice, ...rest } = overrides;
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
    // Test files sign many people up from 127.0.0.1; the signup limit has tests of its own.
    signupsPerHour: 100_000,
    // Mails link here; a test that follows a link swaps this prefix for the server's own URL.
    publicUrl: 'http://decentra.test',
    smtpCaFile: undefined,
    allowPrivateFetch: false,
    logLevel: 'info',
    files: DEFAULT_FILES_CONFIG,
    ...rest,
    voice: { ...DEFAULT_VOICE_CONFIG, ...voice },
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
