/** Sounds closer together than this are one burst: only its first one plays. */
export const SOUND_BURST_MS = 2_000;

/**
 * One sound per burst: `pass()` is true at most once per `windowMs`, counted from the last time it
 * was true, on an injected clock.
 */
export class BurstGate {
  private last = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly now: () => number,
    private readonly windowMs = SOUND_BURST_MS,
  ) {}

  pass(): boolean {
    const t = this.now();
    if (t - this.last < this.windowMs) return false;
    this.last = t;
    return true;
  }
}
