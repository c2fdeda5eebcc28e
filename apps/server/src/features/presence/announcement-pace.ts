import type { Clock, TimerHandle } from '../../kernel/clock.js';

/**
 * Lets presence announcements start at most once per `paceMs`. A change after a quiet spell goes
 * out at once; the changes that come within the window after it wait for its end and go out
 * together. In a reconnect storm every announcement goes to every co-member already online, so
 * the number of groups, not of changes, sets the number of frames and socket writes: one group
 * per turn made a frame per pair of co-members, one per 250 ms makes a few dozen per socket.
 */
export class AnnouncementPace {
  private lastStart = Number.NEGATIVE_INFINITY;
  private waiting: { timer: TimerHandle; resolve: () => void } | undefined;

  constructor(
    private readonly paceMs: number,
    private readonly clock: Clock,
  ) {}

  /** Resolves when the next group may start; call it right before starting one. */
  async turn(): Promise<void> {
    const wait = this.lastStart + this.paceMs - this.clock.now();
    if (wait > 0) {
      await new Promise<void>((resolve) => {
        this.waiting = { timer: this.clock.setTimeout(resolve, wait), resolve };
      });
      this.waiting = undefined;
    }
    this.lastStart = this.clock.now();
  }

  /** Lets a waiting group go at once (shutdown). */
  release(): void {
    this.waiting?.timer.cancel();
    this.waiting?.resolve();
  }
}
