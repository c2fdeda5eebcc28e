import type { SessionClaimMessage, SessionReleaseMessage } from '../kernel/events.js';

/** Who a gateway session belongs to and which instance holds it (numbers its events, buffers them). */
export interface SessionRecord {
  userId: string;
  authSessionId: string;
  owner: string;
}

/** A held event: its seq and its once-encoded `{"t":…,"d":…}`. */
export type ReplayEntry = readonly [seq: number, encodedTD: string];

/**
 * Where gateway sessions live across instances, and the way one moves (see session-handover.ts).
 * One instance: nothing is shared, a session this instance does not hold does not exist
 * (`MemorySessionDirectory`). Several: Redis (`RedisSessionDirectory`).
 */
export interface SessionDirectory {
  /** This instance, as named in `SessionRecord.owner` and claims. */
  readonly instanceId: string;
  /** False when there is nothing to share: a resume of an unknown session is refused at once. */
  readonly shared: boolean;
  /** Says this instance now holds the session (identify, a drop, a move here); kept for `ttlMs`. */
  record(sessionId: string, record: SessionRecord, ttlMs: number): void;
  /** The session ended: nobody may resume it. */
  forget(sessionIds: readonly string[]): Promise<void>;
  lookup(sessionId: string): Promise<SessionRecord | undefined>;
  /** Whether that instance is alive (heartbeats); a dead holder cannot hand a session over. */
  isLive(instanceId: string): Promise<boolean>;
  /** Puts a claim or a release on the bus, in order with the events. */
  publish(message: SessionClaimMessage | SessionReleaseMessage): Promise<void>;
  /** The holder leaves the events a claimant needs, oldest first, for a short while. */
  writeReplay(claimId: string, entries: readonly ReplayEntry[]): Promise<void>;
  /** The claimant takes them (and they are gone). */
  takeReplay(claimId: string): Promise<ReplayEntry[]>;
}

/** One instance: sessions live in its memory only. */
export class MemorySessionDirectory implements SessionDirectory {
  readonly instanceId = 'local';
  readonly shared = false;
  record(): void {}
  async forget(): Promise<void> {}
  async lookup(): Promise<undefined> {
    return undefined;
  }
  async isLive(): Promise<boolean> {
    return false;
  }
  async publish(): Promise<void> {
    throw new Error('one instance: sessions never move');
  }
  async writeReplay(): Promise<void> {}
  async takeReplay(): Promise<ReplayEntry[]> {
    return [];
  }
}
