import { describe, expect, it } from 'vitest';
import { channelInPath } from './NotificationController';
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

describe('the channel in the address', () => {
  it('is the channel or DM of a /channels path, else none', () => {
    expect(channelInPath('/channels/10/11')).toBe('11');
    expect(channelInPath('/channels/@me/20')).toBe('20');
    expect(channelInPath('/channels/@me')).toBeNull();
    expect(channelInPath('/settings/notifications')).toBeNull();
  });
});
