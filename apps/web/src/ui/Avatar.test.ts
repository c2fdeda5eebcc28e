import { describe, expect, it } from 'vitest';
import { initials } from './Avatar';

describe('initials', () => {
  it('takes the first letters of the first two words, or two letters of one word', () => {
    expect(initials('Book Club')).toBe('BC');
    expect(initials('alice')).toBe('AL');
    expect(initials('Chess & Go Club')).toBe('CG');
    expect(initials('  x  ')).toBe('X');
    expect(initials('!!!')).toBe('?');
    expect(initials('Équipe été')).toBe('ÉÉ');
  });
});
