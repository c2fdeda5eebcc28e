import { describe, expect, it } from 'vitest';
import { MAX_EMBEDS, parseMessage, youtubeId } from './parse-embeds';

const links = (s: string) =>
  parseMessage(s)
    .segments.filter((x) => x.kind === 'link')
    .map((x) => (x.kind === 'link' ? x.href : ''));
const embeds = (s: string) => parseMessage(s).embeds;
const text = (s: string) =>
  parseMessage(s)
    .segments.map((x) => x.text)
    .join('');

describe('plain text', () => {
  it('keeps text as one text segment', () => {
    expect(parseMessage('hello world')).toEqual({
      segments: [{ kind: 'text', text: 'hello world' }],
      embeds: [],
    });
  });

  it('never loses or changes a character: the segments join back to the input', () => {
    for (const s of [
      'see https://a.example/x. and (https://b.example/y) ok',
      '<img src=x onerror=alert(1)> https://e.example/a.png',
      'a @bob b me@example.com c',
      '',
      '🙂 ünïcödé https://ü.example/ä?q=ö',
    ]) {
      expect(text(s)).toBe(s);
    }
  });

  it('leaves HTML payloads as text', () => {
    const s = '<img src=x onerror=alert(1)><script>alert(1)</script><a href="javascript:alert(1)">x</a>';
    expect(parseMessage(s)).toEqual({ segments: [{ kind: 'text', text: s }], embeds: [] });
  });
});

describe('links', () => {
  it('links http and https URLs, any case of the scheme', () => {
    expect(links('go to https://example.com now')).toEqual(['https://example.com/']);
    expect(links('http://example.com/a?b=c#d')).toEqual(['http://example.com/a?b=c#d']);
    expect(links('HTTPS://EXAMPLE.com/Path')).toEqual(['https://example.com/Path']);
  });

  it('never links other schemes', () => {
    for (const s of [
      'javascript:alert(1)',
      'JaVaScRiPt:alert(1)',
      'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
      'data:image/png;base64,iVBORw0KGgo=',
      'vbscript:msgbox(1)',
      'file:///etc/passwd',
      'ftp://example.com/x.png',
      'mailto:a@b.c',
      '//example.com/x.png',
      'www.example.com',
    ]) {
      expect(links(s)).toEqual([]);
      expect(embeds(s)).toEqual([]);
    }
  });

  it('an http URL inside a javascript: text is only the http part', () => {
    const p = parseMessage('javascript:https://example.com');
    expect(p.segments[0]).toEqual({ kind: 'text', text: 'javascript:' });
    expect(links('javascript:https://example.com')).toEqual(['https://example.com/']);
  });

  it('stops at quotes and angle brackets, so markup cannot ride along', () => {
    expect(links('https://x.example/"onmouseover="alert(1)')).toEqual(['https://x.example/']);
    expect(links("https://x.example/'><script>")).toEqual(['https://x.example/']);
    expect(links('<https://x.example/a>')).toEqual(['https://x.example/a']);
  });

  it('drops sentence punctuation and unbalanced closing brackets', () => {
    expect(links('see https://example.com/a.')).toEqual(['https://example.com/a']);
    expect(links('really https://example.com/a?!')).toEqual(['https://example.com/a']);
    expect(links('(see https://example.com/a)')).toEqual(['https://example.com/a']);
    expect(links('https://en.wikipedia.org/wiki/Foo_(bar)')).toEqual([
      'https://en.wikipedia.org/wiki/Foo_(bar)',
    ]);
    expect(links('[https://example.com/x]')).toEqual(['https://example.com/x']);
  });

  it('ignores malformed URLs', () => {
    expect(links('https://')).toEqual([]);
    expect(links('http://[not-an-ip')).toEqual([]);
  });

  it('does not link a URL glued to a word', () => {
    expect(links('xhttps://example.com')).toEqual([]);
  });

  it('finds several links', () => {
    expect(links('https://a.example https://b.example\nhttps://c.example')).toHaveLength(3);
  });
});

describe('mentions', () => {
  it('marks @names but not e-mail addresses', () => {
    const p = parseMessage('hi @Ann and me@example.com, thanks @bob.');
    expect(
      p.segments.filter((s) => s.kind === 'mention').map((s) => s.kind === 'mention' && s.username),
    ).toEqual(['Ann', 'bob']);
    expect(text('hi @Ann and me@example.com, thanks @bob.')).toBe('hi @Ann and me@example.com, thanks @bob.');
  });

  it('ignores a lone @ and one-letter names', () => {
    expect(parseMessage('@ and @a').segments).toEqual([{ kind: 'text', text: '@ and @a' }]);
  });
});

describe('embeds', () => {
  it('images by extension, any case, query strings and fragments allowed', () => {
    for (const ext of ['jpg', 'jpeg', 'png', 'gif', 'webp', 'svg', 'PNG', 'JpEg']) {
      expect(embeds(`https://img.example/a/b.${ext}`)).toEqual([
        { kind: 'image', url: `https://img.example/a/b.${ext}` },
      ]);
    }
    expect(embeds('https://img.example/cat.png?size=large&x=1')).toEqual([
      { kind: 'image', url: 'https://img.example/cat.png?size=large&x=1' },
    ]);
    expect(embeds('https://img.example/cat.gif#frag')[0]?.kind).toBe('image');
  });

  it('not an image when the extension is only in the query or the host', () => {
    expect(embeds('https://img.example/page?file=a.png')).toEqual([]);
    expect(embeds('https://png.example/')).toEqual([]);
    expect(embeds('https://img.example/a.png.html')).toEqual([]);
  });

  it('no image or video embed over plain http (the CSP would block it): the link stays', () => {
    expect(embeds('http://img.example/cat.png')).toEqual([]);
    expect(embeds('http://v.example/clip.mp4')).toEqual([]);
    expect(links('see http://img.example/cat.png')).toEqual(['http://img.example/cat.png']);
  });

  it('videos by extension', () => {
    for (const ext of ['mp4', 'webm', 'ogg', 'MP4']) {
      expect(embeds(`https://v.example/clip.${ext}?t=3`)[0]?.kind).toBe('video');
    }
    expect(embeds('https://v.example/clip.mov')).toEqual([]);
  });

  it('YouTube watch, youtu.be, shorts, embed, mobile; through youtube-nocookie', () => {
    const forms = [
      'https://www.youtube.com/watch?v=dQw4w9WgXcQ',
      'https://youtube.com/watch?v=dQw4w9WgXcQ&t=42s',
      'https://m.youtube.com/watch?feature=share&v=dQw4w9WgXcQ',
      'https://youtu.be/dQw4w9WgXcQ',
      'https://youtu.be/dQw4w9WgXcQ?si=abc',
      'https://www.youtube.com/shorts/dQw4w9WgXcQ',
      'https://www.youtube.com/embed/dQw4w9WgXcQ',
      'http://www.youtube.com/watch?v=dQw4w9WgXcQ',
    ];
    for (const f of forms) {
      expect(embeds(f)).toEqual([
        {
          kind: 'youtube',
          url: new URL(f).href,
          videoId: 'dQw4w9WgXcQ',
          embedUrl: 'https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ',
        },
      ]);
    }
  });

  it('no YouTube embed for bad ids or look-alike hosts', () => {
    expect(embeds('https://www.youtube.com/watch?v=short')).toEqual([]);
    // The URL ends at the quote: what is embedded is the clean id, never the markup after it.
    expect(embeds('https://www.youtube.com/watch?v=dQw4w9WgXcQ"><x')[0]).toMatchObject({
      url: 'https://www.youtube.com/watch?v=dQw4w9WgXcQ',
      videoId: 'dQw4w9WgXcQ',
    });
    expect(embeds('https://www.youtube.com/watch?v=dQw4w9WgXcQ%22%3E')).toEqual([]);
    expect(embeds('https://youtube.com.evil.example/watch?v=dQw4w9WgXcQ')).toEqual([]);
    expect(embeds('https://evilyoutube.com/watch?v=dQw4w9WgXcQ')).toEqual([]);
    expect(embeds('https://www.youtube.com/channel/dQw4w9WgXcQ')).toEqual([]);
    expect(youtubeId(new URL('https://youtu.be/'))).toBeUndefined();
  });

  it('an id cannot break out of the embed URL', () => {
    const e = embeds('https://youtu.be/dQw4w9WgXc%2F')[0];
    expect(e).toBeUndefined();
  });

  it('one embed per URL, at most MAX_EMBEDS', () => {
    expect(embeds('https://i.example/a.png https://i.example/a.png')).toHaveLength(1);
    const many = Array.from({ length: 12 }, (_, i) => `https://i.example/${i}.png`).join(' ');
    expect(embeds(many)).toHaveLength(MAX_EMBEDS);
    expect(links(many)).toHaveLength(12);
  });

  it('no embed for URLs carrying credentials', () => {
    expect(embeds('https://user:pw@i.example/a.png')).toEqual([]);
  });
});

describe('hostile and large input', () => {
  it('handles a 4000-character message of URLs quickly', () => {
    const s = 'https://a.example/x.png '.repeat(160).slice(0, 4000);
    const start = performance.now();
    const p = parseMessage(s);
    expect(performance.now() - start).toBeLessThan(100);
    expect(p.embeds).toHaveLength(1);
    expect(text(s)).toBe(s);
  });

  it('is linear on pathological input (no catastrophic backtracking)', () => {
    for (const s of [
      `https://${'a'.repeat(100_000)}`,
      '@'.repeat(100_000),
      `${'http://'.repeat(10_000)}`,
      `https://x.example/${'('.repeat(20_000)}${')'.repeat(20_000)}`,
      `https://x.example/${'.'.repeat(50_000)}`,
    ]) {
      const start = performance.now();
      const p = parseMessage(s);
      expect(performance.now() - start).toBeLessThan(1000);
      expect(text(s)).toBe(s);
      void p;
    }
  });

  it('control characters and unicode stay text', () => {
    const s = '\u202Ehttps://evil.example/gnp.exe \u0000 \uFEFF';
    expect(text(s)).toBe(s);
  });
});
