import { searchTerms } from '@decentra/protocol';
import { describe, expect, it } from 'vitest';
import { highlightParts } from './highlight';

describe('highlightParts', () => {
  it('marks whole words, whatever their case, and leaves the rest as text', () => {
    expect(highlightParts('The Fox and the foxes: FOX!', ['fox'])).toEqual([
      { text: 'The ', match: false },
      { text: 'Fox', match: true },
      { text: ' and the foxes: ', match: false },
      { text: 'FOX', match: true },
      { text: '!', match: false },
    ]);
  });

  it('takes the words of a query, not its filters or excluded words', () => {
    const terms = searchTerms('"quick brown" -fox or dog');
    expect(terms).toEqual(['quick', 'brown', 'dog']);
    expect(
      highlightParts('a quick dog', terms)
        .filter((p) => p.match)
        .map((p) => p.text),
    ).toEqual(['quick', 'dog']);
  });

  it('treats markup as text (it is rendered as elements, never HTML)', () => {
    expect(highlightParts('<b>fox</b>', ['fox'])).toEqual([
      { text: '<b>', match: false },
      { text: 'fox', match: true },
      { text: '</b>', match: false },
    ]);
    expect(highlightParts('no match here', [])).toEqual([{ text: 'no match here', match: false }]);
  });
});
