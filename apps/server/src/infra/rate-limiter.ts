import type { Redis } from 'ioredis';
import { type RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';

export interface LimiterSpec {
  keyPrefix: string;
  points: number;
  duration: number;
}

/** Makes the limiters features use: per process, or shared by every instance through Redis. */
export type LimiterFactory = (spec: LimiterSpec) => RateLimiterAbstract;

export const memoryLimiters: LimiterFactory = (spec) => new RateLimiterMemory(spec);

/**
 * Shared limits for several instances. Should Redis be unreachable, each instance falls back to
 * its own memory limiter rather than letting everything through.
 */
export function redisLimiters(redis: Redis): LimiterFactory {
  return (spec) =>
    new RateLimiterRedis({
      ...spec,
      keyPrefix: `decentra:rl:${spec.keyPrefix}`,
      storeClient: redis,
      insuranceLimiter: new RateLimiterMemory(spec),
    });
}
