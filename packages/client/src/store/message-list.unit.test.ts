import type { Message } from '@decentra/protocol';
import { describe, expect, it } from 'vitest';
import {
  addPending,
  type ChannelMessages,
  compareIds,
  EMPTY_CHANNEL,
  mergeMessages,
  newestId,
  oldestId,
  PENDING_PREFIX,
  prependPage,
  removeMessage,
  type StoreMessage,
  setPendingState,
} from './message-list.js';

function msg(id: string, extra: Partial<Message> = {}): Message {
  return {
    id,
    channelId: '1',
    author: { id: '7', username: 'ann' },
    content: `m${id}`,
    mentions: [],
    createdAt: '2026-01-01T00:00:00.000Z',
    editedAt: null,
    ...extra,
  };
}

function pending(nonce: string, at = '2026-01-01T00:00:01.000Z'): StoreMessage {
  return { ...msg(PENDING_PREFIX + nonce, { nonce, createdAt: at }), pending: 'sending' };
}

const ids = (l: ChannelMessages) => l.items.map((m) => m.id);

describe('compareIds', () => {
  it('orders snowflakes numerically, not as text', () => {
    expect(compareIds('9', '10')).toBeLessThan(0);
    expect(compareIds('251272133269782528', '251272133269782529')).toBeLessThan(0);
    expect(compareIds('1000000000000000000', '999999999999999999')).toBeGreaterThan(0);
    expect(compareIds('5', '5')).toBe(0);
  });
});

describe('mergeMessages', () => {
  it('orders by id whatever the arrival order and keeps one copy per id', () => {
    let l = mergeMessages(EMPTY_CHANNEL, [msg('30'), msg('10')]);
    l = mergeMessages(l, [msg('20'), msg('10'), msg('100')]);
    expect(ids(l)).toEqual(['10', '20', '30', '100']);
  });

  it('does not mutate its input', () => {
    const l = mergeMessages(EMPTY_CHANNEL, [msg('1')]);
    const before = [...l.items];
    mergeMessages(l, [msg('2')]);
    expect(l.items).toEqual(before);
    expect(EMPTY_CHANNEL.items).toEqual([]);
  });

  it('returns the same list for no messages', () => {
    const l = mergeMessages(EMPTY_CHANNEL, [msg('1')]);
    expect(mergeMessages(l, [])).toBe(l);
  });

  it('replaces a pending message by the confirmed one with its nonce', () => {
    let l = mergeMessages(EMPTY_CHANNEL, [msg('10')]);
    l = addPending(l, pending('n1'));
    expect(ids(l)).toEqual(['10', 'pending:n1']);
    l = mergeMessages(l, [msg('20', { nonce: 'n1', content: 'hello' })]);
    expect(ids(l)).toEqual(['10', '20']);
    expect(l.items[1]?.pending).toBeUndefined();
  });

  it('never duplicates: the ack and the event of the same message give one entry', () => {
    let l = addPending(EMPTY_CHANNEL, pending('n1'));
    const confirmed = msg('20', { nonce: 'n1' });
    l = mergeMessages(l, [confirmed]);
    l = mergeMessages(l, [confirmed]);
    l = mergeMessages(l, [{ ...confirmed }]);
    expect(ids(l)).toEqual(['20']);
  });

  it('keeps pending messages after confirmed ones, in the order sent', () => {
    let l = addPending(EMPTY_CHANNEL, pending('a', '2026-01-01T00:00:01.000Z'));
    l = addPending(l, pending('b', '2026-01-01T00:00:02.000Z'));
    l = mergeMessages(l, [msg('50')]);
    expect(ids(l)).toEqual(['50', 'pending:a', 'pending:b']);
  });

  it('an edit replaces the older copy, and an older copy never undoes an edit', () => {
    let l = mergeMessages(EMPTY_CHANNEL, [msg('1', { content: 'old' })]);
    l = mergeMessages(l, [msg('1', { content: 'new', editedAt: '2026-01-02T00:00:00.000Z' })]);
    expect(l.items[0]?.content).toBe('new');
    l = mergeMessages(l, [msg('1', { content: 'old' })]);
    expect(l.items[0]?.content).toBe('new');
  });
});

describe('pending state', () => {
  it('marks failed with a reason and back to sending', () => {
    let l = addPending(EMPTY_CHANNEL, pending('n'));
    l = setPendingState(l, 'n', 'failed', 'Refused');
    expect(l.items[0]).toMatchObject({ pending: 'failed', error: 'Refused' });
    l = setPendingState(l, 'n', 'sending');
    expect(l.items[0]?.pending).toBe('sending');
    expect(l.items[0]?.error).toBeUndefined();
  });

  it('leaves the list alone for an unknown nonce', () => {
    const l = addPending(EMPTY_CHANNEL, pending('n'));
    expect(setPendingState(l, 'other', 'failed')).toBe(l);
  });

  it('adding the same pending message twice keeps one', () => {
    let l = addPending(EMPTY_CHANNEL, pending('n'));
    l = addPending(l, pending('n'));
    expect(ids(l)).toEqual(['pending:n']);
  });
});

describe('pages and cursors', () => {
  it('prepends an older page and records whether more exist', () => {
    let l = mergeMessages(EMPTY_CHANNEL, [msg('100'), msg('101')]);
    l = prependPage(l, [msg('98'), msg('99')], false);
    expect(ids(l)).toEqual(['98', '99', '100', '101']);
    expect(l.hasOlder).toBe(false);
    expect(oldestId(l)).toBe('98');
  });

  it('newestId skips pending messages', () => {
    let l = mergeMessages(EMPTY_CHANNEL, [msg('5'), msg('6')]);
    l = addPending(l, pending('x'));
    expect(newestId(l)).toBe('6');
    expect(newestId(EMPTY_CHANNEL)).toBeUndefined();
    expect(oldestId(addPending(EMPTY_CHANNEL, pending('y')))).toBeUndefined();
  });

  it('removes by id', () => {
    const l = mergeMessages(EMPTY_CHANNEL, [msg('5'), msg('6')]);
    expect(ids(removeMessage(l, '5'))).toEqual(['6']);
    expect(removeMessage(l, '404')).toBe(l);
  });

  it('merges 10,000 messages in order quickly', () => {
    const many = Array.from({ length: 10_000 }, (_, i) => msg(String(1_000_000 + i)));
    const shuffled = [...many].reverse();
    const start = performance.now();
    const l = mergeMessages(EMPTY_CHANNEL, shuffled);
    expect(performance.now() - start).toBeLessThan(500);
    expect(l.items[0]?.id).toBe('1000000');
    expect(l.items.at(-1)?.id).toBe('1009999');
  });
});
