import type { StoreMessage } from '@decentra/client';
import { describe, expect, it } from 'vitest';
import { firstUnreadIndex } from './UnreadMarkers';

const m = (id: string, author = '2'): StoreMessage => ({
  id,
  channelId: '11',
  author: { id: author, username: author === '1' ? 'me' : 'ann' },
  content: id,
  mentions: [],
  createdAt: '2026-01-01T00:00:00.000Z',
  editedAt: null,
});

describe('firstUnreadIndex (where the new-messages line goes)', () => {
  const items = [m('8'), m('9'), m('10', '1'), m('11'), m('pending:abc', '1')];

  it('is the first message by someone else after the last one read (ids compare as numbers)', () => {
    expect(firstUnreadIndex(items, '9', '1', false)).toBe(3);
    expect(firstUnreadIndex(items, '8', '1', false)).toBe(1);
    expect(firstUnreadIndex(items, '11', '1', false)).toBe(-1);
  });

  it('waits while the last message read is not loaded yet (older pages to come)', () => {
    expect(firstUnreadIndex(items, '5', '1', true)).toBe(-1);
    expect(firstUnreadIndex(items, '8', '1', true)).toBe(1);
  });

  it('puts it above the first message of a channel never read, once the beginning is loaded', () => {
    expect(firstUnreadIndex(items, null, '1', true)).toBe(-1);
    expect(firstUnreadIndex(items, null, '1', false)).toBe(0);
  });
});
