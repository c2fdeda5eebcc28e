import { createApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { DataDirLockedError } from './storage/data-dir-lock.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createApp({ config });
  const url = await app.listen();
  app.log.info({ url, database: app.storage.engine }, `Decentra is listening on ${url}`);
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        app.log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  // Configuration and lock problems are the user's to fix: one clear line, no stack.
  if (err instanceof ConfigError || err instanceof DataDirLockedError) {
    console.error(err.message);
  } else {
    console.error('Decentra failed to start:', err);
  }
  process.exit(1);
});
