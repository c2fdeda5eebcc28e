import { describe, expect, it } from 'vitest';
import { findToken } from '../messages/composer-autocomplete/find-token';
import { whoReactedText } from '../reactions/who-reacted';
import { loadEmoji, replaceShortcodes, searchEmoji } from './emoji-data';

describe('emoji data', () => {
  it('offers only emoji the server takes, in their RGI form', async () => {
    const data = await loadEmoji();
    expect(data.byUnicode.get('👍')?.label).toBe('thumbs up');
    expect(data.all.some((e) => e.group === 2)).toBe(false);
  });

  it('searches by shortcode (exact, then shorter), name and tag', async () => {
    const data = await loadEmoji();
    expect(searchEmoji(data, 'thumbs', 2).map((e) => e.unicode)).toEqual(['👍', '👎']);
    expect(searchEmoji(data, 'smi', 1).map((e) => e.unicode)).toEqual(['😄']);
    expect(searchEmoji(data, ':tada:', 1).map((e) => e.unicode)).toEqual(['🎉']);
    expect(searchEmoji(data, 'zzzqqq')).toEqual([]);
  });

  it('replaces complete shortcodes and leaves unknown ones', async () => {
    const data = await loadEmoji();
    expect(replaceShortcodes('hi :smile: :nope: 10:30:00', data)).toBe('hi 😄 :nope: 10:30:00');
  });
});

describe('composer tokens', () => {
  it('finds :sm (two letters or more) and @name before the caret', () => {
    expect(findToken('so :smi', 7)).toEqual({ kind: 'emoji', start: 3, query: 'smi' });
    expect(findToken('so :s', 5)).toBeNull();
    expect(findToken('10:30', 5)).toBeNull();
    expect(findToken('hey @Al', 7)).toEqual({ kind: 'mention', start: 4, query: 'al' });
    expect(findToken('me@example', 10)).toBeNull();
    expect(findToken('@al done', 8)).toBeNull();
  });
});

describe('who reacted', () => {
  it('names up to three, then counts the others', () => {
    expect(whoReactedText(['You'], 1)).toBe('You');
    expect(whoReactedText(['You', 'bob'], 2)).toBe('You and bob');
    expect(whoReactedText(['a', 'b', 'c'], 3)).toBe('a, b and c');
    expect(whoReactedText(['a', 'b', 'c'], 4)).toBe('a, b, c and 1 other');
    expect(whoReactedText(['a', 'b', 'c'], 9)).toBe('a, b, c and 6 others');
  });
});
