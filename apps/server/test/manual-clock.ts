import type { Clock, TimerHandle } from '../src/kernel/clock.js';

interface Scheduled {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/**
 * A clock that moves only when the test says so: `advance(ms)` runs, in order, every callback
 * that falls due, each seeing `now()` at its own due time. Starts at the real time, so that
 * timestamps stay plausible.
 */
export class ManualClock implements Clock {
  private current = Date.now();
  private seq = 0;
  private scheduled: Scheduled[] = [];

  now(): number {
    return this.current;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const entry: Scheduled = { at: this.current + Math.max(0, ms), seq: this.seq++, fn, cancelled: false };
    this.scheduled.push(entry);
    return {
      cancel: () => {
        entry.cancelled = true;
      },
    };
  }

  /** Moves time forward by `ms`, running what falls due on the way. */
  advance(ms: number): void {
    const until = this.current + ms;
    for (;;) {
      this.scheduled = this.scheduled.filter((s) => !s.cancelled);
      const next = this.scheduled
        .filter((s) => s.at <= until)
        .sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!next) break;
      this.scheduled = this.scheduled.filter((s) => s !== next);
      this.current = next.at;
      next.fn();
    }
    this.current = until;
  }

  /** Callbacks still waiting (for tests that check nothing is left behind). */
  get pending(): number {
    return this.scheduled.filter((s) => !s.cancelled).length;
  }
}
