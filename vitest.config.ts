import { defineConfig } from 'vitest/config';

/**
 * Three projects: pure unit tests once, and every storage/integration test on the embedded
 * engine and — when TEST_DATABASE_URL is set (CI always sets it) — again on real PostgreSQL.
 */
const integration = ['apps/server/**/*.test.ts', 'packages/**/*.test.ts'];
const unit = ['**/*.unit.test.ts'];
const excluded = ['**/node_modules/**', '**/dist/**'];

const engines = ['pglite', ...(process.env.TEST_DATABASE_URL ? ['postgres'] : [])];

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: unit, exclude: excluded } },
      ...engines.map((engine) => ({
        test: {
          name: engine,
          include: integration,
          exclude: [...excluded, ...unit],
          env: { TEST_ENGINE: engine },
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
