import { ERROR_STATUS, type ErrorCode, type ErrorDetails } from '@decentra/protocol';

/**
 * A refusal the domain decided on purpose. Transports turn it into the contract's error shape
 * (HTTP status + body, or a gateway reply); anything else is an internal error and is never shown.
 * `details` is typed by the code (docs/api.md: refusal reasons).
 */
export class DomainError<C extends ErrorCode = ErrorCode> extends Error {
  override name = 'DomainError';
  constructor(
    readonly code: C,
    message: string,
    readonly details?: ErrorDetails<C>,
    /** Seconds until a rate-limited caller may try again. */
    readonly retryAfter?: number,
  ) {
    super(message);
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

export const invalidInput = (message: string, details?: ErrorDetails<'invalid_input'>) =>
  new DomainError('invalid_input', message, details);
export const unauthorized = (message = 'You need to log in.') => new DomainError('unauthorized', message);
export const forbidden = (message = 'You are not allowed to do that.', details?: ErrorDetails<'forbidden'>) =>
  new DomainError('forbidden', message, details);
export const notFound = (message = 'Not found.') => new DomainError('not_found', message);
export const conflict = (message: string, details?: ErrorDetails<'conflict'>) =>
  new DomainError('conflict', message, details);
export const rateLimited = (retryAfter: number, message = 'Too many attempts. Try again later.') => {
  // Whole seconds, rounded up: a retry at that time is never refused again for the same window.
  const seconds = Math.max(1, Math.ceil(retryAfter));
  return new DomainError('rate_limited', message, { retryAfter: seconds }, seconds);
};
