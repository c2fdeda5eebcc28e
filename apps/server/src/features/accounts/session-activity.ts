import { ReadBatch } from '../../kernel/read-batch.js';
import { type Db, readBatching } from '../../storage/db.js';
import { touchSessions } from './accounts.repo.js';

/** How stale a session's last activity may get before a use of it writes the new time. */
export const LAST_ACTIVE_WRITE_MS = 60_000;
/** Past this many remembered sessions, the ones not written within the interval are forgotten. */
const MAX_REMEMBERED = 10_000;

/**
 * Records when a login session was last used (REST and gateway authentication) without a write
 * per request: each instance remembers when it last wrote each session's time and writes again
 * only once that is a minute old, and the UPDATE itself changes the row only when the stored
 * time is that old too (another instance may have moved it). Most uses cost a map lookup; the
 * writes of one turn (a reconnect storm's identifies) are one UPDATE.
 */
export class SessionActivity {
  private readonly written = new Map<bigint, number>();
  private readonly writes: ReadBatch<bigint, undefined>;

  constructor(
    private readonly db: Db,
    private readonly now: () => Date,
  ) {
    this.writes = new ReadBatch<bigint, undefined>(
      async (sessionIds) => {
        await touchSessions(this.db, sessionIds, this.now(), LAST_ACTIVE_WRITE_MS);
        return new Map();
      },
      () => undefined,
      readBatching(db),
    );
  }

  /** A session just opened: its row already says now. */
  opened(sessionId: bigint, at: Date): void {
    this.remember(sessionId, at.getTime());
  }

  async used(sessionId: bigint): Promise<void> {
    const now = this.now();
    const last = this.written.get(sessionId);
    if (last !== undefined && now.getTime() - last < LAST_ACTIVE_WRITE_MS) return;
    this.remember(sessionId, now.getTime());
    await this.writes.load(sessionId);
  }

  private remember(sessionId: bigint, at: number): void {
    if (this.written.size >= MAX_REMEMBERED) {
      for (const [id, time] of this.written) {
        if (at - time >= LAST_ACTIVE_WRITE_MS) this.written.delete(id);
      }
    }
    this.written.set(sessionId, at);
  }
}
