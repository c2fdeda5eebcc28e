import { describe, expect, it } from 'vitest';
import { vapidSubject } from './vapid-keys.js';

describe("the VAPID JWT's subject", () => {
  it('is the public https address when there is one', () => {
    expect(vapidSubject('https://chat.example.org')).toBe('https://chat.example.org');
    expect(vapidSubject('https://example.org/chat')).toBe('https://example.org/chat');
  });

  it('is a mailto of the instance for http (web-push refuses it) and for localhost (Apple refuses it)', () => {
    expect(vapidSubject('http://decentra.test')).toBe('mailto:push@decentra.test');
    expect(vapidSubject('https://localhost:8765')).toBe('mailto:push@localhost');
    expect(vapidSubject('http://[::1]:8765')).toBe('mailto:push@::1');
  });
});
