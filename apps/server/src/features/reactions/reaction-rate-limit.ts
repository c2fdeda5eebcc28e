import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { rateLimited } from '../../infra/errors.js';
import { type LimiterFactory, memoryLimiters } from '../../infra/rate-limiter.js';

export interface ReactionLimits {
  points: number;
  windowSeconds: number;
}

/** 30 reaction changes (adds and removes) per 10 s per user: clicking around freely, not a script. */
export const DEFAULT_REACTION_LIMITS: ReactionLimits = { points: 30, windowSeconds: 10 };

export class ReactionRateLimit {
  private readonly limiter: RateLimiterAbstract;

  constructor(limits: ReactionLimits = DEFAULT_REACTION_LIMITS, limiter: LimiterFactory = memoryLimiters) {
    this.limiter = limiter({ keyPrefix: 'react', points: limits.points, duration: limits.windowSeconds });
  }

  async take(userId: bigint): Promise<void> {
    try {
      await this.limiter.consume(userId.toString());
    } catch (res) {
      const ms = (res as { msBeforeNext?: number }).msBeforeNext ?? 1000;
      throw rateLimited(ms / 1000, 'You are reacting too fast. Slow down.');
    }
  }
}
