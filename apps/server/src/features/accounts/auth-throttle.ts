import { type RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible';
import { rateLimited } from '../../infra/errors.js';
import { type LimiterFactory, memoryLimiters } from '../../infra/rate-limiter.js';

export interface ThrottleLimits {
  /** Failed logins allowed per account (however its name was typed) in the window. */
  perUsername: number;
  /** Failed logins (and failed signups) allowed per client address in the window. */
  perAddress: number;
  windowSeconds: number;
}

export const DEFAULT_THROTTLE: ThrottleLimits = { perUsername: 10, perAddress: 30, windowSeconds: 15 * 60 };

/** How an attempt ended: decides which of its reserved points stay counted. */
export type AttemptEnd = 'success' | 'failure' | 'aborted';

/** What happens to a reserved point when the attempt ends: `kept` (it counts), given back, or its count cleared. */
type Settle = Record<AttemptEnd, 'keep' | 'release' | 'clear'>;

interface Bucket {
  limiter: RateLimiterAbstract;
  key: string;
  settle: Settle;
}

/** A failure counts; a success gives its point back. */
const FAILURES: Settle = { success: 'release', failure: 'keep', aborted: 'release' };
/** A failure counts; a success clears the count (the person got it right). */
const FAILURES_CLEARED_BY_SUCCESS: Settle = { success: 'clear', failure: 'keep', aborted: 'release' };

/**
 * Throttles password guessing, counting failures only, and reserving each attempt's place
 * *before* its password is checked: a point is taken atomically under every limit that applies
 * (the limiter's own increment, in memory or in Redis) and an attempt that finds one full is
 * refused without a check. However many attempts arrive at once, no more passwords are checked
 * than the limits allow. A success gives its points back (and clears its account's count); a
 * failure leaves them counted. A guesser is stopped per account (however many addresses) and
 * per address (however many accounts).
 *
 * Under a burst an attempt may be refused a little early (another's point, about to be given back,
 * is still counted when it looks); it never lets more through than the limits.
 */
export class AuthThrottle {
  private readonly byUsername: RateLimiterAbstract;
  private readonly byAddress: RateLimiterAbstract;

  constructor(
    readonly limits: ThrottleLimits = DEFAULT_THROTTLE,
    limiter: LimiterFactory = memoryLimiters,
  ) {
    this.byUsername = limiter({
      keyPrefix: 'login-user',
      points: limits.perUsername,
      duration: limits.windowSeconds,
    });
    this.byAddress = limiter({
      keyPrefix: 'auth-addr',
      points: limits.perAddress,
      duration: limits.windowSeconds,
    });
  }

  /**
   * Reserves a login's place before its password is checked; rate_limited when a limit is full.
   * `account`: the account's id once the name resolved, else the usernameKey of the name typed.
   */
  reserveLogin(account: string, address: string): Promise<Reservation> {
    return reserve([
      { limiter: this.byUsername, key: account, settle: FAILURES_CLEARED_BY_SUCCESS },
      { limiter: this.byAddress, key: address, settle: FAILURES },
    ]);
  }

  /** Reserves a signup's place before its password is hashed: failed signups count per address too. */
  reserveSignup(address: string): Promise<Reservation> {
    return reserve([{ limiter: this.byAddress, key: address, settle: FAILURES }]);
  }
}

/** The points one attempt holds until it ends. */
export class Reservation {
  private ended = false;

  constructor(private readonly taken: readonly Bucket[]) {}

  /** Keeps, gives back or clears each point as the attempt's end decides. Only the first call counts. */
  async end(how: AttemptEnd): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    await Promise.all(this.taken.map((b) => settle(b, b.settle[how])));
  }
}

async function reserve(buckets: readonly Bucket[]): Promise<Reservation> {
  const taken: Bucket[] = [];
  for (const bucket of buckets) {
    try {
      await bucket.limiter.consume(bucket.key);
      taken.push(bucket);
    } catch (err) {
      // A refusal has counted this attempt too: give every point back, so that the counts are
      // of attempts that were let through (and checked), not of refusals.
      const refused = err instanceof RateLimiterRes;
      await Promise.all([...taken, ...(refused ? [bucket] : [])].map((b) => settle(b, 'release')));
      if (refused) throw rateLimited(err.msBeforeNext / 1000);
      throw err;
    }
  }
  return new Reservation(taken);
}

async function settle(bucket: Bucket, action: 'keep' | 'release' | 'clear'): Promise<void> {
  // A store that fails here (Redis gone, with no fallback) leaves a point counted: the safe side.
  if (action === 'release') await bucket.limiter.reward(bucket.key).catch(() => undefined);
  else if (action === 'clear') await bucket.limiter.delete(bucket.key).catch(() => undefined);
}
