import type { RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible';
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

/**
 * Counts failures only: a person who types the right password is never slowed down, while a
 * guesser is stopped per account (however many addresses) and per address (however many accounts).
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

  /** `account`: the account's id once the name resolved, else the usernameKey of the name typed. */
  async assertLoginAllowed(account: string, address: string): Promise<void> {
    await this.assertUnder(this.byUsername, account, this.limits.perUsername);
    await this.assertUnder(this.byAddress, address, this.limits.perAddress);
  }

  async assertSignupAllowed(address: string): Promise<void> {
    await this.assertUnder(this.byAddress, address, this.limits.perAddress);
  }

  async loginFailed(account: string, address: string): Promise<void> {
    await Promise.all([swallow(this.byUsername.penalty(account)), swallow(this.byAddress.penalty(address))]);
  }

  async signupFailed(address: string): Promise<void> {
    await swallow(this.byAddress.penalty(address));
  }

  async loginSucceeded(account: string): Promise<void> {
    await this.byUsername.delete(account);
  }

  private async assertUnder(limiter: RateLimiterAbstract, key: string, points: number): Promise<void> {
    const state = await limiter.get(key);
    // A key whose window has passed may linger until the limiter's timer removes it: it counts no more.
    if (state && state.msBeforeNext > 0 && state.consumedPoints >= points)
      throw rateLimited(state.msBeforeNext / 1000);
  }
}

async function swallow(p: Promise<RateLimiterRes>): Promise<void> {
  await p.catch(() => undefined);
}
