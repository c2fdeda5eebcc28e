import { describe, expect, it } from 'vitest';
import { linksIn, youtubeId } from './links.js';

const hrefs = (s: string) => linksIn(s).map((u) => u.href);

describe('linksIn', () => {
  it('finds http(s) links in order, each once, cut like the web app cuts them', () => {
    expect(hrefs('see https://a.example/x. and (https://b.example/y) https://a.example/x')).toEqual([
      'https://a.example/x',
      'https://b.example/y',
    ]);
    expect(hrefs('javascript:alert(1) ftp://x.example/a data:text/html,x')).toEqual([]);
  });

  it('leaves links inside code out', () => {
    expect(hrefs('`https://a.example/` ```\nhttps://b.example/\n``` https://c.example/')).toEqual([
      'https://c.example/',
    ]);
  });
});

describe('youtubeId', () => {
  it('watch, youtu.be, shorts, embed, mobile', () => {
    for (const f of [
      'https://www.youtube.com/watch?v=dQw4w9WgXcQ',
      'https://youtube.com/watch?v=dQw4w9WgXcQ&t=42s',
      'https://m.youtube.com/watch?feature=share&v=dQw4w9WgXcQ',
      'https://youtu.be/dQw4w9WgXcQ',
      'https://youtu.be/dQw4w9WgXcQ?si=abc',
      'https://www.youtube.com/shorts/dQw4w9WgXcQ',
      'https://www.youtube.com/embed/dQw4w9WgXcQ',
      'http://www.youtube.com/watch?v=dQw4w9WgXcQ',
    ]) {
      expect(youtubeId(new URL(f))).toBe('dQw4w9WgXcQ');
    }
  });

  it('no id for bad ids or look-alike hosts', () => {
    for (const f of [
      'https://www.youtube.com/watch?v=short',
      'https://www.youtube.com/watch?v=dQw4w9WgXcQ%22%3E',
      'https://youtube.com.evil.example/watch?v=dQw4w9WgXcQ',
      'https://evilyoutube.com/watch?v=dQw4w9WgXcQ',
      'https://www.youtube.com/channel/dQw4w9WgXcQ',
      'https://youtu.be/',
      'https://youtu.be/dQw4w9WgXc%2F',
    ]) {
      expect(youtubeId(new URL(f))).toBeUndefined();
    }
    // The URL ends at the quote: the id is the clean one, never the markup after it.
    expect(linksIn('https://www.youtube.com/watch?v=dQw4w9WgXcQ"><x').map(youtubeId)).toEqual([
      'dQw4w9WgXcQ',
    ]);
  });
});
