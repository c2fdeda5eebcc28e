import { createApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { DataDirLockedError } from './storage/data-dir-lock.js';
import { DataDirPermissionError } from './storage/data-dir-permissions.js';

async function main(): Promise<void> {
  const config = loadConfig();
  // Keep the event loop alive until the server listens. PGlite awaits WebAssembly compilation,
  // which holds no libuv handle; with none alive, Node waits for all of V8's background tasks
  // before it runs the loop again (NodePlatform::DrainTasks), and by then those are TurboFan
  // compiles of PGlite's hot functions: 0.25-0.7 s of the start spent waiting for nothing.
  const starting = setInterval(() => {}, 2 ** 30);
  const { app, url } = await (async () => {
    const app = await createApp({ config });
    return { app, url: await app.listen() };
  })().finally(() => clearInterval(starting));
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
  if (
    err instanceof ConfigError ||
    err instanceof DataDirLockedError ||
    err instanceof DataDirPermissionError
  ) {
    console.error(err.message);
  } else {
    console.error('Decentra failed to start:', err);
  }
  process.exit(1);
});
