import { describe, expect, it } from 'vitest';
import { setTitleBadge, useInstance } from './instance';

describe('the tab title', () => {
  it("keeps the unread count when the instance's name arrives after it", () => {
    setTitleBadge('2');
    expect(document.title).toBe('(2) Decentra');
    useInstance.setState({
      info: { name: 'Club House', registration: 'invite', needsSetup: false, passwordReset: false },
      settled: true,
    });
    expect(document.title).toBe('(2) Club House');
    setTitleBadge('');
    expect(document.title).toBe('Club House');
  });
});
