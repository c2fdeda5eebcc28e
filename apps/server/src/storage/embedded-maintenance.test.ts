import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../test/manual-clock.js';
import { ENGINE } from '../../test/test-db.js';
import { startTestServer, type TestServer } from '../../test/test-server.js';
import { executeRows } from './db.js';
import { FIRST_MAINTENANCE_AFTER_MS, MAINTENANCE_EVERY_MS } from './embedded-maintenance.js';

const MINUTE = 60_000;

// PostgreSQL has its own autovacuum: the app starts this only on the embedded engine.
describe('database maintenance', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  /** What the planner knows of the messages table: rows it counted (-1: never analyzed), pages all-visible. */
  async function messageStats(s: TestServer): Promise<{ rows: number; allVisible: number }> {
    const [row] = await executeRows<{ rows: number; allVisible: number }>(
      s.app.storage.db,
      sql`select reltuples::int as rows, relallvisible::int as "allVisible" from pg_class
          where relname = 'messages' and relnamespace = 'public'::regnamespace`,
    );
    if (!row) throw new Error('no messages table');
    return row;
  }

  async function addMessages(s: TestServer, from: number, count: number): Promise<void> {
    const db = s.app.storage.db;
    await db.execute(sql`insert into users (id, username, password_hash) values (5, 'maint', 'x')
                         on conflict do nothing`);
    await db.execute(sql`insert into channels (id, server_id, type, name) values (2000, null, 'dm', 'dm')
                         on conflict do nothing`);
    await db.execute(sql`insert into messages (id, channel_id, author_id, content, created_at)
      select (g::bigint << 22), 2000, 5, 'message ' || g, now()
      from generate_series(${from}::int, ${from + count - 1}::int) g`);
  }

  const rounds = (s: TestServer) => s.logs.filter((line) => line.includes('embedded database maintained'));

  it.runIf(ENGINE === 'pglite')(
    'analyzes and vacuums every table of the embedded engine five minutes after the start, then every six hours',
    async () => {
      const clock = new ManualClock();
      server = await startTestServer({ clock });
      const s = server;
      await addMessages(s, 1, 5_000);
      // The embedded engine has no autovacuum: on its own, the planner would never count these rows.
      expect((await messageStats(s)).rows).toBe(-1);

      clock.advance(FIRST_MAINTENANCE_AFTER_MS - MINUTE);
      expect(rounds(s)).toEqual([]);
      clock.advance(MINUTE);
      await expect.poll(() => rounds(s).length).toBe(1);
      const first = await messageStats(s);
      expect(first.rows).toBe(5_000);
      expect(first.allVisible).toBeGreaterThan(0);
      const logged = JSON.parse(rounds(s)[0] ?? '{}') as { tables?: number; longestStatement?: string };
      expect(logged.tables).toBeGreaterThan(20);
      expect(logged.longestStatement).toBeTruthy();

      await addMessages(s, 5_001, 2_500);
      clock.advance(MAINTENANCE_EVERY_MS - MINUTE);
      expect(rounds(s).length).toBe(1);
      clock.advance(MINUTE);
      await expect.poll(() => rounds(s).length).toBe(2);
      expect((await messageStats(s)).rows).toBe(7_500);
    },
    60_000,
  );
});
