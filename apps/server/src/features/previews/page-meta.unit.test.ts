import { describe, expect, it } from 'vitest';
import { MAX_DESCRIPTION, MAX_TITLE, pageMeta } from './page-meta.js';

const page = new URL('https://news.example/a/b');
const meta = (html: string | Buffer, charset?: string) =>
  pageMeta(typeof html === 'string' ? Buffer.from(html) : html, page, charset);

describe('pageMeta', () => {
  it('reads OpenGraph first, then Twitter cards, then <title>', () => {
    expect(
      meta(`<head><title>T</title><meta name="twitter:title" content="TW"><meta property="og:title" content="OG">
      <meta name="twitter:description" content="D"><meta name="twitter:image" content="/i.png"></head>`),
    ).toEqual({ title: 'OG', description: 'D', image: { url: 'https://news.example/i.png' } });
    expect(meta('<head><title> Only \n  the title </title></head>')).toEqual({ title: 'Only the title' });
  });

  it('decodes by <meta charset> when the header says nothing', () => {
    const latin = Buffer.concat([
      Buffer.from('<head><meta charset="iso-8859-1"><title>na', 'latin1'),
      Buffer.from([0xef]),
      Buffer.from('ve</title></head>', 'latin1'),
    ]);
    expect(meta(latin).title).toBe('naïve');
    const sjis = Buffer.concat([
      Buffer.from('<head><title>'),
      Buffer.from([0x93, 0xfa, 0x96, 0x7b]),
      Buffer.from('</title></head>'),
    ]);
    expect(meta(sjis, 'shift_jis').title).toBe('日本');
  });

  it('reads nothing of the body, and no tag of it becomes a card', () => {
    expect(
      meta('<head></head><body><meta property="og:title" content="injected"><title>x</title></body>'),
    ).toEqual({});
    expect(meta('<html><body><meta property="og:title" content="injected">')).toEqual({});
  });

  it('caps the texts, keeps only http(s) pictures, and a video only when it is one', () => {
    const long = 'x'.repeat(5000);
    const m =
      meta(`<head><meta property="og:title" content="${long}"><meta property="og:description" content="${long}">
      <meta property="og:image" content="javascript:alert(1)">
      <meta property="og:video" content="https://player.example/embed"><meta property="og:video:type" content="text/html"></head>`);
    expect([...(m.title ?? '')]).toHaveLength(MAX_TITLE);
    expect([...(m.description ?? '')]).toHaveLength(MAX_DESCRIPTION);
    expect(m.image).toBeUndefined();
    expect(m.video).toBeUndefined();
    expect(
      meta(`<head><meta property="og:video" content="https://v.example/a.mp4"><meta property="og:video:type" content="video/mp4">
      <meta property="og:video:width" content="640"><meta property="og:video:height" content="-1"></head>`)
        .video,
    ).toEqual({ url: 'https://v.example/a.mp4' });
  });

  it('keeps entities as text: the card never holds markup', () => {
    expect(
      meta('<head><meta property="og:title" content="&lt;b&gt;hi&lt;/b&gt; &amp; more"></head>').title,
    ).toBe('<b>hi</b> & more');
  });
});
