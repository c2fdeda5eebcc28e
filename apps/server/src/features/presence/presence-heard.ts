/**
 * The `presence_update`s (online) heard on the bus while some `ready` is being built, so that a
 * `ready` leaves out whoever its session is told about by an event anyway: the session is indexed
 * before its `ready` is built, so an announcement after that reaches it as an event, and listing
 * the same person in `ready` too would say it twice (a reconnect storm: hundreds of times per
 * socket). Only the latest such event per user is kept, and only while a `ready` begun before it
 * is still being built; a person whose latest event was not addressed to this user stays listed.
 */
export class PresenceHeard {
  private seq = 0;
  private readonly latest = new Map<bigint, { seq: number; to: readonly string[]; set?: Set<string> }>();
  /** The `seq` each `ready` in progress began at (ascending; finished ones removed). */
  private readonly building: number[] = [];

  /** A `ready` begins (called in the same turn as its session was indexed). */
  begin(): number {
    this.building.push(this.seq);
    return this.seq;
  }

  end(began: number): void {
    const i = this.building.indexOf(began);
    if (i >= 0) this.building.splice(i, 1);
    if (this.building.length === 0) this.latest.clear();
    else this.prune(this.building[0] as number);
  }

  heard(userId: bigint, to: readonly string[]): void {
    this.seq++;
    if (this.building.length === 0) return;
    this.latest.set(userId, { seq: this.seq, to });
  }

  /** Whether `viewer` was sent `userId`'s coming online after `began`. */
  toldSince(began: number, userId: bigint, viewer: string): boolean {
    const entry = this.latest.get(userId);
    if (!entry || entry.seq <= began) return false;
    entry.set ??= new Set(entry.to);
    return entry.set.has(viewer);
  }

  private prune(oldest: number): void {
    if (this.latest.size < 1_000) return;
    for (const [userId, entry] of this.latest) if (entry.seq <= oldest) this.latest.delete(userId);
  }
}
