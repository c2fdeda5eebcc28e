import { describe, expect, it } from 'vitest';
import { parseSearchQuery, searchTerms } from './search.js';

describe('parseSearchQuery', () => {
  it('takes filters out of the text and keeps everything else, URLs included, as words', () => {
    expect(
      parseSearchQuery('from:@Ann in:#general has:LINK has:image deploy https://x.io note:later'),
    ).toEqual({
      ok: true,
      search: { text: 'deploy https://x.io note:later', from: 'Ann', in: 'general', has: ['link', 'image'] },
    });
  });

  it('turns days into UTC bounds that leave the day itself out', () => {
    const parsed = parseSearchQuery('before:2026-03-10 after:2026-03-01');
    expect(parsed).toMatchObject({
      ok: true,
      search: { before: '2026-03-10T00:00:00.000Z', after: '2026-03-02T00:00:00.000Z' },
    });
    expect(parseSearchQuery('before:2026-02-30')).toEqual({
      ok: false,
      error: 'before: takes a date as YYYY-MM-DD.',
    });
    expect(parseSearchQuery('after:2026-03-01 before:2026-03-02').ok).toBe(false);
  });

  it('keeps a quoted phrase whole, filters inside it are words', () => {
    expect(parseSearchQuery('"from:ann said hi"')).toMatchObject({
      ok: true,
      search: { text: '"from:ann said hi"' },
    });
    expect(searchTerms('"from:ann said hi"')).toEqual(['from', 'ann', 'said', 'hi']);
  });
});
