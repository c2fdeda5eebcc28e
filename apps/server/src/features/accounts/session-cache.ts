import { LRUCache } from 'lru-cache';
import type { Clock } from '../../kernel/clock.js';
import type { BusMessage } from '../../kernel/events.js';
import type { UserRow } from '../../storage/rows.js';

/** What a live token resolves to: its login session and the user's row, as the database said. */
export interface CachedSession {
  sessionId: bigint;
  user: UserRow;
  expiresAt: Date;
}

export interface SessionCacheOptions {
  /** Tokens kept at most; the least recently used go first. */
  maxEntries: number;
  /** The safety net: an entry is read again after this long even if no revocation was heard. */
  ttlMs: number;
}

export const DEFAULT_SESSION_CACHE: SessionCacheOptions = { maxEntries: 10_000, ttlMs: 60_000 };

/**
 * Live login sessions by token hash, so that a REST call or an identify costs no database read.
 * Forgotten on every instance through the bus: `session_revoked` (logout, revocation, password
 * change, disable, deletion) by session or by user, `user_update` by user (the row carried in
 * AuthContext changed), everything on a `gap` (revocations may have been missed). The TTL bounds
 * what a missed message could cost. Only live sessions are kept: an unknown token always asks.
 */
export class SessionCache {
  private readonly entries: LRUCache<string, CachedSession>;
  /**
   * Bumped whenever anything is forgotten. A fill reads it before its query and is dropped if it
   * changed meanwhile, so a revocation racing a lookup is never undone by the lookup's answer.
   */
  private forgets = 0;

  constructor(
    private readonly clock: Pick<Clock, 'now'>,
    options: SessionCacheOptions = DEFAULT_SESSION_CACHE,
  ) {
    this.entries = new LRUCache({
      max: options.maxEntries,
      ttl: options.ttlMs,
      // Time is the injected clock's, read on every check (no resolution window).
      perf: { now: () => this.clock.now() },
      ttlResolution: 0,
    });
  }

  get(tokenHash: Buffer): CachedSession | undefined {
    const entry = this.entries.get(tokenHash.toString('base64'));
    if (entry && entry.expiresAt.getTime() <= this.clock.now()) return undefined;
    return entry;
  }

  /** Read before asking the database; hand it back to `remember` with the answer. */
  get generation(): number {
    return this.forgets;
  }

  remember(tokenHash: Buffer, session: CachedSession, generation: number): void {
    if (generation !== this.forgets) return;
    this.entries.set(tokenHash.toString('base64'), session);
  }

  get size(): number {
    return this.entries.size;
  }

  /** A bus message, or one this instance is publishing (heard before Redis brings it back). */
  readonly onBusMessage = (message: BusMessage): void => {
    switch (message.kind) {
      case 'session_revoked':
        this.forget(new Set(message.sessionIds), new Set(message.userIds));
        return;
      case 'dispatch':
        if (message.t === 'user_update') this.forget(new Set(), new Set([message.d.id]));
        return;
      case 'gap':
        this.forgets++;
        this.entries.clear();
        return;
      default:
        return;
    }
  };

  /** Revocations are rare next to lookups: a scan of the bounded cache is cheaper than indexes. */
  private forget(sessionIds: ReadonlySet<string>, userIds: ReadonlySet<string>): void {
    this.forgets++;
    for (const [key, entry] of this.entries.entries()) {
      if (sessionIds.has(entry.sessionId.toString()) || userIds.has(entry.user.id.toString())) {
        this.entries.delete(key);
      }
    }
  }
}
