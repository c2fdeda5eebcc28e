import { describe, expect, it } from 'vitest';
import { argon2Passwords } from '../accounts/password.js';
import { NO_PASSWORD } from './account-deletion.service.js';
import { describeUserAgent } from './user-agent.js';

describe('a deleted account’s password hash', () => {
  it('matches no password, and checking it does not throw', async () => {
    for (const password of ['', 'password123', NO_PASSWORD]) {
      expect(await argon2Passwords.verify(NO_PASSWORD, password)).toBe(false);
    }
  });
});

describe('describeUserAgent', () => {
  it('names the browser with its major version and the system', () => {
    expect(
      describeUserAgent(
        'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
      ),
    ).toEqual({ browser: 'Safari 18', os: 'macOS' });
    expect(
      describeUserAgent('Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0'),
    ).toEqual({ browser: 'Firefox 133', os: 'Linux' });
  });

  it('says so when it cannot tell', () => {
    for (const ua of ['', '   ', 'curl/8.5.0', '\u0000\u0001']) {
      expect(describeUserAgent(ua)).toEqual({ browser: 'Unknown browser', os: 'Unknown system' });
    }
  });
});
