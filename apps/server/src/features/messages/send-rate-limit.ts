import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { rateLimited } from '../../infra/errors.js';
import { type LimiterFactory, memoryLimiters } from '../../infra/rate-limiter.js';

export interface SendLimits {
  points: number;
  windowSeconds: number;
}

/** Ten messages per five seconds per user, in bursts; past it a clear 429 / rate_limited reply. */
export const DEFAULT_SEND_LIMITS: SendLimits = { points: 10, windowSeconds: 5 };

export class SendRateLimit {
  private readonly limiter: RateLimiterAbstract;

  constructor(limits: SendLimits = DEFAULT_SEND_LIMITS, limiter: LimiterFactory = memoryLimiters) {
    this.limiter = limiter({
      keyPrefix: 'send',
      points: limits.points,
      duration: limits.windowSeconds,
    });
  }

  async take(userId: bigint): Promise<void> {
    try {
      await this.limiter.consume(userId.toString());
    } catch (res) {
      const ms = (res as { msBeforeNext?: number }).msBeforeNext ?? 1000;
      throw rateLimited(ms / 1000, 'You are sending messages too fast. Slow down.');
    }
  }
}
