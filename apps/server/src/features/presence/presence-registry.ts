/**
 * Who is online across instances. Each instance says when it starts and stops holding a user
 * online (its first socket of theirs, its last one gone after the grace); the registry answers
 * whether that changed the user's presence everywhere, so that exactly one instance announces it.
 */
export interface PresenceRegistry {
  /** This instance holds the user online (with `sockets` open); a change when they were offline everywhere. */
  up(userId: bigint, sockets: number): Promise<PresenceChange | undefined>;
  /** This instance no longer does; a change when no instance does any more. */
  down(userId: bigint): Promise<PresenceChange | undefined>;
  /** Whether no later change of the user's presence was decided since (checked just before announcing). */
  isLatest(userId: bigint, change: PresenceChange): Promise<boolean>;
  /** The users this instance holds according to the registry (to put it right after an outage). */
  held(): Promise<bigint[]>;
  /** Those of `userIds` online on any instance. */
  onlineAmong(userIds: readonly bigint[]): Promise<Set<bigint>>;
  /**
   * Ends dead instances' holds (each exactly once, whichever instance gets there first) and
   * returns the users that left offline everywhere, for the caller to announce.
   */
  reap(now: number, deadAfterMs: number): Promise<[bigint, PresenceChange][]>;
}

/** A change of a user's presence, numbered per user in the order the registry decided them. */
export interface PresenceChange {
  version: number;
}

/** One instance: its own view is the whole truth, every change of it a change of presence. */
export class MemoryPresenceRegistry implements PresenceRegistry {
  private readonly online = new Set<bigint>();
  /** Announcements of one instance go out in order: every change is the latest when announced. */
  private static readonly CHANGE: PresenceChange = { version: 1 };

  async up(userId: bigint): Promise<PresenceChange | undefined> {
    const was = this.online.has(userId);
    this.online.add(userId);
    return was ? undefined : MemoryPresenceRegistry.CHANGE;
  }

  async down(userId: bigint): Promise<PresenceChange | undefined> {
    return this.online.delete(userId) ? MemoryPresenceRegistry.CHANGE : undefined;
  }

  async held(): Promise<bigint[]> {
    return [...this.online];
  }

  async isLatest(): Promise<boolean> {
    return true;
  }

  async onlineAmong(userIds: readonly bigint[]): Promise<Set<bigint>> {
    return new Set(userIds.filter((id) => this.online.has(id)));
  }

  async reap(): Promise<[bigint, PresenceChange][]> {
    return [];
  }
}
