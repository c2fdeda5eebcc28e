import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, relativeTime } from './format';

describe('relativeTime', () => {
  const now = Date.parse('2026-03-10T12:00:00Z');
  const ago = (ms: number) => new Date(now - ms).toISOString();
  it('says how long ago, in the largest whole unit, then the date', () => {
    expect(relativeTime(ago(10_000), now)).toBe('just now');
    expect(relativeTime(ago(60_000), now)).toBe('1 minute ago');
    expect(relativeTime(ago(5 * 60_000), now)).toBe('5 minutes ago');
    expect(relativeTime(ago(3 * 3_600_000), now)).toBe('3 hours ago');
    expect(relativeTime(ago(26 * 3_600_000), now)).toBe('yesterday');
    expect(relativeTime(ago(4 * 86_400_000), now)).toBe('4 days ago');
    expect(relativeTime('2025-01-02T00:00:00Z', now)).toBe('Jan 2, 2025');
    // A clock slightly ahead of ours is not "in 2 seconds".
    expect(relativeTime(new Date(now + 2_000).toISOString(), now)).toBe('just now');
    expect(relativeTime('not a time', now)).toBe('');
  });
});

describe('formatBytes', () => {
  it('uses powers of 1024 with one decimal below 10', () => {
    expect(formatBytes(0)).toBe('0 bytes');
    expect(formatBytes(1)).toBe('1 byte');
    expect(formatBytes(1023)).toBe('1023 bytes');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(50 * 1024 * 1024)).toBe('50 MB');
    expect(formatBytes(3.25 * 1024 ** 3)).toBe('3.3 GB');
  });
});

describe('formatDuration', () => {
  it('shows the two largest units', () => {
    expect(formatDuration(42)).toBe('42 seconds');
    expect(formatDuration(60)).toBe('1 minute');
    expect(formatDuration(3 * 3600 + 12 * 60 + 5)).toBe('3 hours 12 minutes');
    expect(formatDuration(3600)).toBe('1 hour');
    expect(formatDuration(2 * 86_400 + 3600)).toBe('2 days 1 hour');
    expect(formatDuration(86_400)).toBe('1 day');
  });
});
