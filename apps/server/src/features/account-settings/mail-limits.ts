import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { RateLimiterRes } from 'rate-limiter-flexible';
import { rateLimited } from '../../infra/errors.js';
import type { LimiterFactory } from '../../infra/rate-limiter.js';
import { addressKey } from '../accounts/client-address.js';

export interface MailLimits {
  /** Reset mails asked for one address per hour. */
  resetsPerEmail: number;
  /** Reset mails asked for by one client address per hour. */
  resetsPerClient: number;
  /** Links tried (reset confirmations, email confirmations) by one client address per hour. */
  linkAttemptsPerClient: number;
}

export const DEFAULT_MAIL_LIMITS: MailLimits = {
  resetsPerEmail: 5,
  resetsPerClient: 20,
  linkAttemptsPerClient: 30,
};

const HOUR_SECONDS = 60 * 60;

/**
 * Limits on the mail-link flows, counted before anything else is done: every request counts,
 * whether or not an account has the address, so the answer never depends on it.
 */
export class MailFlowLimits {
  private readonly perEmail: RateLimiterAbstract;
  private readonly perClient: RateLimiterAbstract;
  private readonly attempts: RateLimiterAbstract;

  constructor(limits: MailLimits, limiter: LimiterFactory) {
    const hourly = (keyPrefix: string, points: number) =>
      limiter({ keyPrefix, points, duration: HOUR_SECONDS });
    this.perEmail = hourly('reset-email', limits.resetsPerEmail);
    this.perClient = hourly('reset-client', limits.resetsPerClient);
    this.attempts = hourly('link-attempts', limits.linkAttemptsPerClient);
  }

  async resetRequest(address: string, email: string): Promise<void> {
    await take(this.perClient, addressKey(address));
    await take(this.perEmail, email.toLowerCase());
  }

  async linkAttempt(address: string): Promise<void> {
    await take(this.attempts, addressKey(address));
  }
}

async function take(limiter: RateLimiterAbstract, key: string): Promise<void> {
  try {
    await limiter.consume(key);
  } catch (err) {
    if (err instanceof RateLimiterRes) throw rateLimited(err.msBeforeNext / 1000);
    throw err;
  }
}
