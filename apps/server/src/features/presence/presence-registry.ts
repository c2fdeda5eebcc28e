/**
 * Who is online across instances. Each instance says when it starts and stops holding a user
 * online (its first socket of theirs, its last one gone after the grace); the registry answers
 * whether that changed the user's presence everywhere, so that exactly one instance announces it.
 */
export interface PresenceRegistry {
  /** This instance holds the user online (with `sockets` open); true when they were offline everywhere. */
  up(userId: bigint, sockets: number): Promise<boolean>;
  /** This instance no longer does; true when no instance does any more. */
  down(userId: bigint): Promise<boolean>;
  /** Those of `userIds` online on any instance. */
  onlineAmong(userIds: readonly bigint[]): Promise<Set<bigint>>;
  /**
   * Ends dead instances' holds (each exactly once, whichever instance gets there first) and
   * returns the users that left offline everywhere, for the caller to announce.
   */
  reap(now: number, deadAfterMs: number): Promise<bigint[]>;
}

/** One instance: its own view is the whole truth, every change of it a change of presence. */
export class MemoryPresenceRegistry implements PresenceRegistry {
  private readonly online = new Set<bigint>();

  async up(userId: bigint): Promise<boolean> {
    const was = this.online.has(userId);
    this.online.add(userId);
    return !was;
  }

  async down(userId: bigint): Promise<boolean> {
    return this.online.delete(userId);
  }

  async onlineAmong(userIds: readonly bigint[]): Promise<Set<bigint>> {
    return new Set(userIds.filter((id) => this.online.has(id)));
  }

  async reap(): Promise<bigint[]> {
    return [];
  }
}
