import { describe, expect, it } from 'vitest';
import { everyoneWord, mentionedNames } from './mentions.js';

describe('mentionedNames', () => {
  it('finds @names, once each, lower-cased', () => {
    expect(mentionedNames('hi @Alice and @bob, @ALICE again')).toEqual(['alice', 'bob']);
  });
  it('keeps dots, dashes and underscores inside names but not a final full stop', () => {
    expect(mentionedNames('ping @j.doe-2_x. please')).toEqual(['j.doe-2_x']);
  });
  it('ignores e-mail addresses, lone @ and one-letter names', () => {
    expect(mentionedNames('mail me@example.com or @ or @a')).toEqual([]);
  });
  it('reads names at the very start and end', () => {
    expect(mentionedNames('@first middle @last')).toEqual(['first', 'last']);
  });
});

describe('everyoneWord', () => {
  const word = (content: string) => everyoneWord(mentionedNames(content));
  it('finds @everyone and @here by the @name rules, everyone winning', () => {
    expect(word('hey @everyone.')).toBe('everyone');
    expect(word('@HERE now')).toBe('here');
    expect(word('@here and @everyone')).toBe('everyone');
  });
  it('is not glued to a word or part of a longer name', () => {
    expect(word('x@everyone @everyones @here_ @nothere')).toBeUndefined();
  });
});
