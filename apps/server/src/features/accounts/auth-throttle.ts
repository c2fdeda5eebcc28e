import { type RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible';
import { rateLimited } from '../../infra/errors.js';
import { type LimiterFactory, memoryLimiters } from '../../infra/rate-limiter.js';
import { addressKey } from './client-address.js';

export interface ThrottleLimits {
  /** The window failed logins and failed signups are counted in. */
  windowSeconds: number;
  /**
   * Failed logins on one account from one client address, or from one known device of that
   * account (its own allowance, wherever it is).
   */
  perAccountAddress: number;
  /** Failed logins on one account from every client that is not one of its known devices. */
  perAccount: number;
  /** Failed logins from one client address, over every account (known devices not counted). */
  perAddress: number;
  /** Failed signups (an unusable invite code) from one client address. */
  signupFailuresPerAddress: number;
  /** Accounts one client address may make per hour. */
  signupsPerAddress: number;
}

export const DEFAULT_THROTTLE: ThrottleLimits = {
  windowSeconds: 15 * 60,
  perAccountAddress: 10,
  perAccount: 50,
  perAddress: 100,
  signupFailuresPerAddress: 30,
  signupsPerAddress: 10,
};

const SIGNUP_WINDOW_SECONDS = 60 * 60;

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
/** A failure counts; a success clears the count (the person at this place or device got it right). */
const FAILURES_CLEARED_BY_SUCCESS: Settle = { success: 'clear', failure: 'keep', aborted: 'release' };
/** A success counts (accounts made). */
const SUCCESSES: Settle = { success: 'keep', failure: 'release', aborted: 'release' };

/** A login as the throttle sees it. */
export interface LoginAttempt {
  /** The account tried: its id once the name resolved to one, else the key of the name typed. */
  account: string;
  /** The client's address (as Fastify resolved it through the trusted proxies). */
  address: string;
  /** The id of a known-device cookie that belongs to this very account, if one came. */
  device?: string | undefined;
}

/**
 * Throttles password guessing, counting failures only, and reserving each attempt's place
 * *before* its password is checked: a point is taken atomically under every limit that applies
 * (the limiter's own increment, in memory or in Redis) and an attempt that finds one full is
 * refused without a check. However many attempts arrive at once, no more passwords are checked
 * than the limits allow. A success gives its points back; a failure leaves them counted.
 *
 * Logins are counted per (account, address), per account and per address, except from a known
 * device of the account (a signed cookie set after a successful login, see known-device.ts), which
 * is counted on its own: someone else's failures behind the same address (a club behind one NAT)
 * or against the same account (a guesser elsewhere) do not lock out the browser its owner uses.
 * The per-address limit is high: the per-account limits are what stop guessing one account; the
 * per-address one stops one machine spraying guesses over many accounts (and burning argon2 time).
 *
 * Under a burst an attempt may be refused a little early (another's point, about to be given back,
 * is still counted when it looks); it never lets more through than the limits.
 */
export class AuthThrottle {
  private readonly accountAddress: RateLimiterAbstract;
  private readonly account: RateLimiterAbstract;
  private readonly address: RateLimiterAbstract;
  private readonly device: RateLimiterAbstract;
  private readonly signupFailures: RateLimiterAbstract;
  private readonly signups: RateLimiterAbstract;

  constructor(
    readonly limits: ThrottleLimits = DEFAULT_THROTTLE,
    limiter: LimiterFactory = memoryLimiters,
  ) {
    const failures = (keyPrefix: string, points: number) =>
      limiter({ keyPrefix, points, duration: limits.windowSeconds });
    this.accountAddress = failures('login-account-address', limits.perAccountAddress);
    this.account = failures('login-account', limits.perAccount);
    this.address = failures('login-address', limits.perAddress);
    this.device = failures('login-device', limits.perAccountAddress);
    this.signupFailures = failures('signup-failures', limits.signupFailuresPerAddress);
    this.signups = limiter({
      keyPrefix: 'signups',
      points: limits.signupsPerAddress,
      duration: SIGNUP_WINDOW_SECONDS,
    });
  }

  /** Reserves a login's place before its password is checked; rate_limited when a limit is full. */
  reserveLogin(attempt: LoginAttempt): Promise<Reservation> {
    const { account, device } = attempt;
    if (device !== undefined) {
      return reserve([
        { limiter: this.device, key: `${account}|${device}`, settle: FAILURES_CLEARED_BY_SUCCESS },
      ]);
    }
    const address = addressKey(attempt.address);
    return reserve([
      { limiter: this.accountAddress, key: `${account}|${address}`, settle: FAILURES_CLEARED_BY_SUCCESS },
      { limiter: this.account, key: account, settle: FAILURES },
      { limiter: this.address, key: address, settle: FAILURES },
    ]);
  }

  /** Reserves a signup's place (as an account made and as a failure) before its password is hashed. */
  reserveSignup(address: string): Promise<Reservation> {
    const key = addressKey(address);
    return reserve([
      { limiter: this.signups, key, settle: SUCCESSES },
      { limiter: this.signupFailures, key, settle: FAILURES },
    ]);
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
