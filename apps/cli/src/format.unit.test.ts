import type { Message } from '@decentra/protocol';
import { describe, expect, it } from 'vitest';
import { formatMessage } from './format.js';

const base: Message = {
  id: '1',
  channelId: '2',
  author: { id: '3', username: 'ann' },
  content: 'hi \u001b[31mred',
  mentions: [],
  createdAt: '2026-12-01T10:05:00.000Z',
  editedAt: null,
};

describe('message lines', () => {
  it('shows control characters rather than letting them reach the terminal', () => {
    expect(formatMessage(base)).toMatch(/ann: hi \\x1b\[31mred$/);
  });

  it('words a call record from its outcome and length', () => {
    const call = (outcome: 'missed' | 'rejected' | 'ended', durationSeconds = 0) =>
      formatMessage({ ...base, content: '', call: { outcome, durationSeconds } }, '@ann');
    expect(call('missed')).toMatch(/^@ann \[\d\d:\d\d\] \* missed call from ann$/);
    expect(call('rejected')).toMatch(/\* call from ann, declined$/);
    expect(call('ended', 42)).toMatch(/\* call from ann, 42 s$/);
    expect(call('ended', 240)).toMatch(/\* call from ann, 4 min$/);
  });
});
