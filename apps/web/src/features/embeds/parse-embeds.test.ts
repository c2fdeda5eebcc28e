import { describe, expect, it } from 'vitest';
import { parseMessage } from './parse-embeds';

const links = (s: string) =>
  parseMessage(s)
    .segments.filter((x) => x.kind === 'link')
    .map((x) => (x.kind === 'link' ? x.href : ''));
const text = (s: string) =>
  parseMessage(s)
    .segments.map((x) => x.text)
    .join('');

describe('plain text', () => {
  it('keeps text as one text segment', () => {
    expect(parseMessage('hello world')).toEqual({
      segments: [{ kind: 'text', text: 'hello world' }],
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
    expect(parseMessage(s)).toEqual({ segments: [{ kind: 'text', text: s }] });
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

describe('hostile and large input', () => {
  it('handles a 4000-character message of URLs quickly', () => {
    const s = 'https://a.example/x.png '.repeat(160).slice(0, 4000);
    const start = performance.now();
    const p = parseMessage(s);
    expect(performance.now() - start).toBeLessThan(100);
    expect(p.segments.filter((x) => x.kind === 'link')).toHaveLength(160);
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
