import { describe, expect, it } from 'vitest';
import { formatDuration, formatLength } from './call-duration';

describe('call lengths', () => {
  it('shows the running time like a phone', () => {
    expect(formatDuration(7)).toBe('0:07');
    expect(formatDuration(242)).toBe('4:02');
    expect(formatDuration(3723)).toBe('1:02:03');
  });
  it('words a finished call for the DM', () => {
    expect(formatLength(35)).toBe('35 s');
    expect(formatLength(240)).toBe('4 min');
    expect(formatLength(3900)).toBe('1 h 5 min');
    expect(formatLength(7200)).toBe('2 h');
  });
});
