import type { Redis } from 'ioredis';

/**
 * At most one `typing_start` per user per channel per interval. In memory for one instance; in
 * Redis for several, so that a typist with tabs on two instances is heard once per interval too.
 */
export interface TypingThrottle {
  /** True when `key` may be announced at `now` (and it is then taken for the interval). */
  take(key: string, now: number, intervalMs: number): Promise<boolean>;
}

const SWEEP_AT = 10_000;

export class MemoryTypingThrottle implements TypingThrottle {
  private readonly lastSent = new Map<string, number>();

  /** Whether `key` is free at `now`, without taking it. */
  free(key: string, now: number, intervalMs: number): boolean {
    const last = this.lastSent.get(key);
    return last === undefined || now - last >= intervalMs;
  }

  async take(key: string, now: number, intervalMs: number): Promise<boolean> {
    if (!this.free(key, now, intervalMs)) return false;
    if (this.lastSent.size >= SWEEP_AT) {
      for (const [k, at] of this.lastSent) if (now - at >= intervalMs) this.lastSent.delete(k);
    }
    this.lastSent.set(key, now);
    return true;
  }
}

// The key holds when it was taken, on the instances' clock (tests move a manual one); PX lets
// Redis forget it. PX is twice the interval so that Redis's own time never ends a hold early.
const TAKE = `
local last = redis.call('GET', KEYS[1])
if last and tonumber(ARGV[1]) - tonumber(last) < tonumber(ARGV[2]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', tonumber(ARGV[2]) * 2)
return 1`;

export class RedisTypingThrottle implements TypingThrottle {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async take(key: string, now: number, intervalMs: number): Promise<boolean> {
    const taken = await this.redis.eval(
      TAKE,
      1,
      `${this.prefix}typing:${key}`,
      String(now),
      String(intervalMs),
    );
    return Number(taken) === 1;
  }
}
