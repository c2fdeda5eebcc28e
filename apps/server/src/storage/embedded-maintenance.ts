import { sql } from 'drizzle-orm';
import type { Clock, TimerHandle } from '../kernel/clock.js';
import { type Db, executeRows } from './db.js';

/** The first round waits for the start to be over; then one round every six hours. */
export const FIRST_MAINTENANCE_AFTER_MS = 5 * 60_000;
export const MAINTENANCE_EVERY_MS = 6 * 60 * 60_000;
const STATISTICS_TARGET = 30;

export interface MaintenanceRound {
  tables: number;
  /** The whole round, and its longest statement: every other query waited that long. */
  ms: number;
  longestMs: number;
  longestStatement: string;
}

/**
 * What autovacuum does for PostgreSQL, for the embedded engine, which has none: PGlite is a
 * standalone backend without background workers, so nothing would ever analyze its tables (the
 * planner would guess from page counts), set their visibility maps (index-only scans would read the
 * heap) or freeze old rows (transaction ids wrap around after two billion). A round runs `VACUUM`,
 * then `ANALYZE`, one table at a time, on the app's clock: the engine runs one statement at a time,
 * so each is a pause for every other query, and one statement per table and step keeps the pauses
 * short (bench:maintenance: the messages table's ANALYZE is the longest, ~0.1 s at a million
 * messages; the rest take about a millisecond).
 */
export class EmbeddedMaintenance {
  private timer: TimerHandle | undefined;
  private running: Promise<MaintenanceRound | undefined> | undefined;
  private stopped = false;

  constructor(
    private readonly deps: {
      db: Db;
      clock: Clock;
      onRound: (round: MaintenanceRound) => void;
      onProblem: (message: string, err: unknown) => void;
    },
  ) {}

  start(): void {
    this.schedule(FIRST_MAINTENANCE_AFTER_MS);
  }

  /** No round starts after this; resolves once a round under way has ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    await this.running;
  }

  async round(): Promise<MaintenanceRound> {
    const { db } = this.deps;
    const tables = await executeRows<{ name: string }>(
      db,
      sql`select format('%I', c.relname) as name from pg_class c
          where c.relkind = 'r' and c.relnamespace = 'public'::regnamespace order by c.relname`,
    );
    const started = performance.now();
    let longestMs = 0;
    let longestStatement = '';
    const timed = async (statement: string) => {
      const t0 = performance.now();
      await db.execute(sql.raw(statement));
      const took = performance.now() - t0;
      if (took > longestMs) [longestMs, longestStatement] = [took, statement];
    };
    // The sample ANALYZE reads is 300 rows per unit of the target: 9,000 rows instead of 30,000
    // for the messages table (85 against 340 ms at a million messages), plenty for this schema's
    // plans (index choices on ids). PGlite has one session: the setting is the engine's own.
    await db.execute(sql.raw(`set default_statistics_target = ${STATISTICS_TARGET}`));
    for (const { name } of tables) {
      if (this.stopped) break;
      await timed(`vacuum ${name}`);
      if (this.stopped) break;
      await timed(`analyze ${name}`);
    }
    return { tables: tables.length, ms: performance.now() - started, longestMs, longestStatement };
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = this.deps.clock.setTimeout(() => {
      this.running = this.round()
        .then((round) => {
          this.deps.onRound(round);
          return round;
        })
        .catch((err: unknown) => {
          if (!this.stopped) this.deps.onProblem('embedded database maintenance failed', err);
          return undefined;
        })
        .finally(() => this.schedule(MAINTENANCE_EVERY_MS));
    }, ms);
  }
}
