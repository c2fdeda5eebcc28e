// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { GROUP_WINDOW_MS, startsGroup } from './group-messages';

const at = (date: Date, authorId = 'ann') => ({
  author: { id: authorId, username: authorId },
  createdAt: date.toISOString(),
  call: undefined,
  reference: undefined,
});
// Local times, so the day boundary is the reader's whatever zone the test runs in.
const noon = new Date(2026, 4, 3, 12, 0, 0);
const later = (ms: number, from = noon) => new Date(from.getTime() + ms);
const open = { newLineAbove: false };

describe('startsGroup', () => {
  it('the first message always opens a group', () => {
    expect(startsGroup(undefined, at(noon), open)).toBe(true);
  });

  it('the same author within seven minutes continues the group', () => {
    expect(startsGroup(at(noon), at(later(60_000)), open)).toBe(false);
    expect(startsGroup(at(noon), at(later(GROUP_WINDOW_MS)), open)).toBe(false);
  });

  it('more than seven minutes later opens a new one', () => {
    expect(startsGroup(at(noon), at(later(GROUP_WINDOW_MS + 1)), open)).toBe(true);
  });

  it('another author opens a new one', () => {
    expect(startsGroup(at(noon), at(later(1000), 'bob'), open)).toBe(true);
  });

  it('the new-messages line opens a new one', () => {
    expect(startsGroup(at(noon), at(later(1000)), { newLineAbove: true })).toBe(true);
  });

  it('a day boundary opens a new one, even a minute apart', () => {
    const beforeMidnight = new Date(2026, 4, 3, 23, 59, 30);
    expect(startsGroup(at(beforeMidnight), at(later(60_000, beforeMidnight)), open)).toBe(true);
  });

  it('a reply opens a new one: its quote heads it', () => {
    const reply = { ...at(later(1000)), reference: { messageId: '1', message: null } };
    expect(startsGroup(at(noon), reply, open)).toBe(true);
  });

  it('call records stand alone', () => {
    const call = { ...at(noon), call: { outcome: 'ended' as const, durationSeconds: 60 } };
    expect(startsGroup(call, at(later(1000)), open)).toBe(true);
    expect(startsGroup(at(noon), { ...call, createdAt: later(1000).toISOString() }, open)).toBe(true);
  });
});
