import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { rateLimited } from '../../infra/errors.js';
import { type LimiterFactory, memoryLimiters } from '../../infra/rate-limiter.js';

/**
 * 20 picture uploads (avatars and icons together, refused ones too) per minute per user: trying
 * a few crops is fine; a script making the server decode pictures all day is not.
 */
export const AVATAR_UPLOADS_PER_MINUTE = 20;

export class AvatarRateLimit {
  private readonly limiter: RateLimiterAbstract;

  constructor(limiter: LimiterFactory = memoryLimiters) {
    this.limiter = limiter({ keyPrefix: 'avatar', points: AVATAR_UPLOADS_PER_MINUTE, duration: 60 });
  }

  async take(userId: bigint): Promise<void> {
    try {
      await this.limiter.consume(userId.toString());
    } catch (res) {
      const ms = (res as { msBeforeNext?: number }).msBeforeNext ?? 1000;
      throw rateLimited(ms / 1000, 'You are changing pictures too fast. Try again in a minute.');
    }
  }
}
