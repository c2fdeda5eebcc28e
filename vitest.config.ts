import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

/**
 * Projects: pure unit tests once, and every storage/integration test on the embedded
 * engine and — when TEST_DATABASE_URL is set (CI always sets it) — again on real PostgreSQL;
 * the web app's component and parser tests (happy-dom), and the browser end-to-end tests
 * (Chromium against a real server on the embedded engine; `npm test` builds apps/web first).
 */
const integration = ['apps/server/**/*.test.ts', 'apps/cli/**/*.test.ts', 'packages/**/*.test.ts'];
const unit = ['**/*.unit.test.ts'];
const web = ['apps/web/**/*.test.{ts,tsx}'];
const e2e = ['e2e/**/*.e2e.test.ts'];
const excluded = ['**/node_modules/**', '**/dist/**'];

const engines = ['pglite', ...(process.env.TEST_DATABASE_URL ? ['postgres'] : [])];

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: unit, exclude: [...excluded, ...web] } },
      {
        plugins: [react()],
        test: { name: 'web', include: web, exclude: excluded, environment: 'happy-dom' },
      },
      {
        test: {
          name: 'e2e',
          include: e2e,
          exclude: excluded,
          env: { TEST_ENGINE: 'pglite' },
          globalSetup: ['apps/server/test/pglite-template.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // expect.poll waits for what a browser shows (a service worker waking, a render after
          // an event): vitest's 1 s default is too short for a loaded CI box.
          expect: { poll: { timeout: 15_000 } },
        },
      },
      ...engines.map((engine) => ({
        test: {
          name: engine,
          include: integration,
          exclude: [...excluded, ...unit],
          env: { TEST_ENGINE: engine },
          setupFiles: ['apps/server/test/frame-check.ts'],
          ...(engine === 'pglite' ? { globalSetup: ['apps/server/test/pglite-template.ts'] } : {}),
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      })),
    ],
    pool: 'forks',
    maxWorkers: 2,
  },
});
