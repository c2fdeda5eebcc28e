import { describe, expect, it } from 'vitest';
import { isOpenMessage } from './worker-messages';

describe('what the service worker posts', () => {
  it('routes only to a path of this app', () => {
    expect(isOpenMessage({ type: 'decentra:open', url: '/channels/@me/5' })).toBe(true);
    for (const url of ['https://evil.example/', '//evil.example/x', 'javascript:alert(1)', 5])
      expect(isOpenMessage({ type: 'decentra:open', url })).toBe(false);
    expect(isOpenMessage({ type: 'other', url: '/channels/@me' })).toBe(false);
    expect(isOpenMessage(null)).toBe(false);
  });
});
