import { applyReady, initialChatState } from '@decentra/client';
import {
  type Channel,
  DEFAULT_USER_SETTINGS,
  MENTION_COUNT_CAP,
  type NotificationOverride,
  type ReadState,
  type ReadyData,
} from '@decentra/protocol';
import { describe, expect, it } from 'vitest';
import { titleWith } from '../../app/instance';
import { nextMuteEnd } from './mute-clock';
import {
  channelBadge,
  countText,
  homeBadge,
  mentionLabel,
  rowLabel,
  serverBadge,
  totalMentions,
} from './unread-state';
import { badgeFor } from './use-tab-badge';

const NOW = Date.parse('2026-12-01T21:00:00.000Z');
const perms = {
  createChannel: false,
  editChannel: false,
  deleteChannel: false,
  mentionEveryone: false,
  pinMessages: false,
};
const text = (id: string, serverId: string): Channel => ({ id, serverId, type: 'text', name: `c${id}` });
const dm = (id: string, other: string): Channel => ({
  id,
  serverId: null,
  type: 'dm',
  name: other,
  recipients: [
    { id: '1', username: 'me' },
    { id: other, username: other },
  ],
});
const unread = (channelId: string, mentionCount = 0): ReadState => ({
  channelId,
  lastReadId: '100',
  lastMessageId: '101',
  mentionCount,
});
const mute = (targetId: string, mutedUntil: string | null = null): NotificationOverride => ({
  targetId,
  mode: null,
  muted: true,
  mutedUntil,
});

function state(readStates: ReadState[], notificationOverrides: NotificationOverride[] = []) {
  const ready: ReadyData = {
    sessionId: 's',
    user: { id: '1', username: 'me', isAdmin: false, createdAt: '2026-01-01T00:00:00.000Z' },
    servers: [
      {
        id: '10',
        name: 'One',
        ownerId: '1',
        channels: [text('11', '10'), text('12', '10')],
        myPermissions: perms,
      },
      { id: '20', name: 'Two', ownerId: '2', channels: [text('21', '20')], myPermissions: perms },
    ],
    dms: [dm('50', '2'), dm('60', '3')],
    friends: { friends: [], incoming: [], outgoing: [] },
    presences: [],
    voiceStates: [],
    calls: [],
    settings: DEFAULT_USER_SETTINGS,
    readStates,
    notificationOverrides,
  };
  return applyReady(initialChatState(), ready);
}

describe('unread badges', () => {
  it('a channel: unread with its mentions; a read or unlisted one is neither', () => {
    const s = state([unread('11', 2), { ...unread('12', 0), lastReadId: '101' }]);
    expect(channelBadge(s, '11', NOW)).toEqual({ unread: true, mentions: 2, muted: false });
    expect(channelBadge(s, '12', NOW)).toEqual({ unread: false, mentions: 0, muted: false });
    expect(channelBadge(s, '21', NOW)).toEqual({ unread: false, mentions: 0, muted: false });
  });

  it('a server sums its channels; home sums the DMs; the title sums both', () => {
    const s = state([unread('11', 2), unread('12', 1), unread('21'), unread('50', 3), unread('60', 1)]);
    expect(serverBadge(s, '10', NOW)).toEqual({ unread: true, mentions: 3, muted: false });
    expect(serverBadge(s, '20', NOW)).toEqual({ unread: true, mentions: 0, muted: false });
    expect(homeBadge(s, NOW)).toEqual({ unread: true, mentions: 4, muted: false });
    expect(totalMentions(s, NOW)).toBe(7);
  });

  it('mutes take bold and badges away: a channel, a whole server, a DM', () => {
    const s = state(
      [unread('11', 2), unread('12', 1), unread('21', 5), unread('50', 3), unread('60', 1)],
      [mute('11'), mute('20'), mute('60')],
    );
    expect(channelBadge(s, '11', NOW)).toEqual({ unread: false, mentions: 0, muted: true });
    expect(serverBadge(s, '10', NOW)).toEqual({ unread: true, mentions: 1, muted: false });
    expect(serverBadge(s, '20', NOW)).toEqual({ unread: false, mentions: 0, muted: true });
    // A muted server's channels are muted too.
    expect(channelBadge(s, '21', NOW).muted).toBe(true);
    expect(homeBadge(s, NOW).mentions).toBe(3);
    expect(totalMentions(s, NOW)).toBe(4);
  });

  it('a timed mute counts until it ends, and the clock knows when the next one ends', () => {
    const until = new Date(NOW + 60_000).toISOString();
    const s = state(
      [unread('11', 2)],
      [mute('11', until), mute('12', new Date(NOW - 1).toISOString()), mute('50')],
    );
    expect(channelBadge(s, '11', NOW).mentions).toBe(0);
    expect(channelBadge(s, '11', NOW + 60_000).mentions).toBe(2);
    expect(nextMuteEnd(Object.values(s.notificationOverrides), NOW)).toBe(NOW + 60_000);
    expect(nextMuteEnd(Object.values(s.notificationOverrides), NOW + 60_000)).toBeUndefined();
  });

  it('shows counts as "99+" from the cap, and names them for screen readers', () => {
    expect(countText(3)).toBe('3');
    expect(countText(MENTION_COUNT_CAP - 1)).toBe('99');
    expect(countText(MENTION_COUNT_CAP)).toBe('99+');
    expect(countText(250)).toBe('99+');
    expect(mentionLabel(1)).toBe('1 mention');
    expect(mentionLabel(3)).toBe('3 mentions');
    expect(rowLabel('general', { unread: true, mentions: 2, muted: false })).toBe(
      'general, unread, 2 mentions',
    );
    expect(rowLabel('general', { unread: false, mentions: 0, muted: true })).toBe('general, muted');
    expect(rowLabel('general', { unread: false, mentions: 0, muted: false })).toBe('general');
  });

  it('puts the count before the instance name in the tab title', () => {
    expect(titleWith(badgeFor(0), 'Club House')).toBe('Club House');
    expect(titleWith(badgeFor(3), 'Club House')).toBe('(3) Club House');
    expect(titleWith(badgeFor(120), 'Decentra')).toBe('(99+) Decentra');
  });
});
