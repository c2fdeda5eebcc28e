import { describe, expect, it } from 'vitest';
import { replyQuoteText } from './messages.js';
import {
  compareIds,
  isMuted,
  isUnread,
  type NotificationOverride,
  type NotifyContext,
  notificationBody,
  notifyDecision,
} from './notifications.js';
import { DEFAULT_USER_SETTINGS } from './settings.js';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const me = '100';
const server = '200';
const channel = '300';
const dm = '400';

const message = (over: Partial<Parameters<typeof notifyDecision>[0]> = {}) => ({
  author: { id: '101', username: 'ann' },
  channelId: channel,
  mentions: [] as string[],
  ...over,
});

const ctx = (over: Partial<NotifyContext> = {}): NotifyContext => ({
  userId: me,
  serverId: server,
  settings: DEFAULT_USER_SETTINGS.notifications,
  overrides: {},
  now: NOW,
  ...over,
});

const override = (targetId: string, o: Partial<NotificationOverride>): NotificationOverride => ({
  targetId,
  mode: null,
  muted: false,
  mutedUntil: null,
  ...o,
});

const withMode = (mode: 'all' | 'mentions' | 'none') => ({
  settings: { ...DEFAULT_USER_SETTINGS.notifications, mode },
});

describe('compareIds and isUnread', () => {
  it('orders ids as 64-bit numbers, not as text', () => {
    expect(compareIds('9', '10')).toBeLessThan(0);
    expect(compareIds('9223372036854775807', '9223372036854775806')).toBeGreaterThan(0);
    expect(compareIds('42', '42')).toBe(0);
  });

  it('is unread when someone else wrote after the last read message', () => {
    expect(isUnread({ lastReadId: '9', lastMessageId: '10' })).toBe(true);
    expect(isUnread({ lastReadId: '10', lastMessageId: '10' })).toBe(false);
    expect(isUnread({ lastReadId: null, lastMessageId: '1' })).toBe(true);
    expect(isUnread({ lastReadId: null, lastMessageId: null })).toBe(false);
  });
});

describe('notifyDecision', () => {
  it('never for my own messages or call records', () => {
    expect(notifyDecision(message({ author: { id: me, username: 'me' } }), ctx())).toEqual({ notify: false });
    expect(
      notifyDecision(message({ call: { outcome: 'missed', durationSeconds: 0 } }), ctx({ serverId: null })),
    ).toEqual({ notify: false });
  });

  it('all: every message, mentions marked', () => {
    expect(notifyDecision(message(), ctx())).toEqual({ notify: true, mention: false });
    expect(notifyDecision(message({ mentions: [me] }), ctx())).toEqual({ notify: true, mention: true });
    expect(notifyDecision(message({ mentionEveryone: 'here' }), ctx())).toEqual({
      notify: true,
      mention: true,
    });
  });

  it('mentions: only mentions, and DMs (they are addressed to me)', () => {
    expect(notifyDecision(message(), ctx(withMode('mentions')))).toEqual({ notify: false });
    expect(notifyDecision(message({ mentions: ['999'] }), ctx(withMode('mentions')))).toEqual({
      notify: false,
    });
    expect(notifyDecision(message({ mentions: [me] }), ctx(withMode('mentions'))).notify).toBe(true);
    expect(notifyDecision(message({ mentionEveryone: 'everyone' }), ctx(withMode('mentions'))).notify).toBe(
      true,
    );
    expect(
      notifyDecision(message({ channelId: dm }), ctx({ ...withMode('mentions'), serverId: null })),
    ).toEqual({
      notify: true,
      mention: true,
    });
  });

  it('none, or notifications off: nothing', () => {
    expect(notifyDecision(message({ mentions: [me] }), ctx(withMode('none')))).toEqual({ notify: false });
    const off = { ...DEFAULT_USER_SETTINGS.notifications, enabled: false };
    expect(notifyDecision(message({ mentions: [me] }), ctx({ settings: off }))).toEqual({ notify: false });
  });

  it('the channel overrides the server, which overrides the setting', () => {
    const overrides = {
      [server]: override(server, { mode: 'none' }),
      [channel]: override(channel, { mode: 'all' }),
    };
    expect(notifyDecision(message(), ctx({ overrides })).notify).toBe(true);
    expect(notifyDecision(message({ channelId: '301' }), ctx({ overrides })).notify).toBe(false);
    const inherit = {
      [channel]: override(channel, { mode: null }),
      [server]: override(server, { mode: 'mentions' }),
    };
    expect(notifyDecision(message(), ctx({ overrides: inherit })).notify).toBe(false);
  });

  it('a mute of the channel or its server silences even mentions, until it ends', () => {
    const until = new Date(NOW + 60_000).toISOString();
    const channelMuted = { [channel]: override(channel, { muted: true, mutedUntil: until }) };
    expect(notifyDecision(message({ mentions: [me] }), ctx({ overrides: channelMuted }))).toEqual({
      notify: false,
    });
    expect(
      notifyDecision(message({ mentions: [me] }), ctx({ overrides: channelMuted, now: NOW + 60_000 })).notify,
    ).toBe(true);
    const serverMuted = { [server]: override(server, { muted: true }) };
    expect(notifyDecision(message({ mentions: [me] }), ctx({ overrides: serverMuted }))).toEqual({
      notify: false,
    });
  });

  it('a muted DM is silent', () => {
    const overrides = { [dm]: override(dm, { muted: true }) };
    expect(notifyDecision(message({ channelId: dm }), ctx({ serverId: null, overrides }))).toEqual({
      notify: false,
    });
  });
});

describe('isMuted', () => {
  it('holds until mutedUntil; null means until unmuted', () => {
    expect(isMuted(undefined, NOW)).toBe(false);
    expect(isMuted(override('1', { muted: true }), NOW)).toBe(true);
    expect(isMuted(override('1', { muted: true, mutedUntil: new Date(NOW - 1).toISOString() }), NOW)).toBe(
      false,
    );
  });
});

describe('notificationBody', () => {
  it('the first 100 characters, a bare link as [link] or [image]', () => {
    expect(notificationBody('  hello  ')).toBe('hello');
    expect(notificationBody('x'.repeat(150))).toHaveLength(100);
    expect(notificationBody('x'.repeat(150)).endsWith('…')).toBe(true);
    expect(notificationBody('https://example.com/cat.PNG')).toBe('[image]');
    expect(notificationBody('https://example.com/page')).toBe('[link]');
    expect(notificationBody('look https://example.com/page')).toBe('look https://example.com/page');
  });

  it('a message of files only names the first file, and how many more', () => {
    expect(notificationBody('', [{ kind: 'image' }])).toBe('[image]');
    expect(notificationBody('  ', [{ kind: 'file' }, { kind: 'image' }, { kind: 'audio' }])).toBe(
      '[file] +2',
    );
    expect(notificationBody('look', [{ kind: 'video' }])).toBe('look');
    expect(notificationBody('')).toBe('');
  });

  it('plain text: markers dropped, spoilers hidden, code kept as text', () => {
    expect(notificationBody('**bold** and *it* and __under__ ~~gone~~')).toBe('bold and it and under gone');
    expect(notificationBody('the killer is ||the butler|| !')).toBe('the killer is [spoiler] !');
    expect(notificationBody('||a\nb|| then')).toBe('[spoiler] then');
    expect(notificationBody('run `npm ci` then\n```ts\nconst x = 1;\n```')).toBe(
      'run npm ci then const x = 1;',
    );
    expect(notificationBody('> quoted\n# Title')).toBe('quoted Title');
    expect(notificationBody('2 * 3 * 4 and snake_case_name')).toBe('2 * 3 * 4 and snake_case_name');
    expect(notificationBody('\\*not italic\\*')).toBe('*not italic*');
    expect(notificationBody(`||${'x'.repeat(300)}||`)).toBe('[spoiler]');
    expect(notificationBody(`look ||${'x'.repeat(600)}||`)).toBe('look [spoiler]');
    expect(notificationBody('an open ||spoiler never closed')).toBe('an open [spoiler]');
    expect(notificationBody('**a __b ~~c `d '.repeat(300))).toHaveLength(100);
  });
});

describe('replyQuoteText', () => {
  const author = { id: '1', username: 'ann' };
  it('quotes the text, else the call, else the files', () => {
    expect(replyQuoteText({ author, content: 'hi', attachmentCount: 2 })).toBe('hi');
    expect(replyQuoteText({ author, content: '', call: true })).toBe('Call');
    expect(replyQuoteText({ author, content: '', attachmentCount: 1 })).toBe('Attachment');
    expect(replyQuoteText({ author, content: '', attachmentCount: 3 })).toBe('3 attachments');
    expect(replyQuoteText({ author, content: '' })).toBe('');
  });
});
