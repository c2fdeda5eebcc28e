import { ApiError } from '@decentra/client';
import { describe, expect, it } from 'vitest';
import { errorText } from './error-text';

const limited = (retryAfter?: number) =>
  new ApiError(429, 'rate_limited', 'Too many requests', undefined, retryAfter);

describe('errorText', () => {
  it('says how long to wait after too many attempts, in units a person reads', () => {
    expect(errorText(limited())).toBe('Too many attempts. Try again in a few seconds.');
    expect(errorText(limited(0.2))).toBe('Too many attempts. Try again in 1 second.');
    expect(errorText(limited(12))).toBe('Too many attempts. Try again in 12 seconds.');
    expect(errorText(limited(600))).toBe('Too many attempts. Try again in 10 minutes.');
    expect(errorText(limited(3599))).toBe('Too many attempts. Try again in 1 hour.');
    expect(errorText(limited(7200))).toBe('Too many attempts. Try again in 2 hours.');
  });

  it('names the field of a refused form, nested ones included', () => {
    const invalid = (path: string, message: string) =>
      new ApiError(400, 'invalid_input', `${path}: ${message}`, { issues: [{ path, message }] });
    expect(errorText(invalid('instance.name', 'must not be empty'))).toBe('Instance name must not be empty.');
    expect(errorText(invalid('newPassword', 'must be at least 8 characters'))).toBe(
      'New password must be at least 8 characters.',
    );
  });
});
