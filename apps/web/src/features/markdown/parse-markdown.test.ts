// @vitest-environment node
import { describe, expect, it } from 'vitest';
import type { MdNode } from './md-tree';
import { linksOf, parseMarkdown } from './parse-markdown';

const text = (t: string): MdNode => ({ type: 'text', text: t });
const depth = (nodes: readonly MdNode[]): number =>
  Math.max(
    0,
    ...nodes.map((n) =>
      'children' in n
        ? 1 + depth(n.children)
        : n.type === 'list'
          ? 1 + Math.max(0, ...n.items.map(depth))
          : 0,
    ),
  );

describe('parseMarkdown', () => {
  it.each([
    ['**b**', 'strong'],
    ['*i*', 'em'],
    ['_i_', 'em'],
    ['__u__', 'underline'],
    ['~~s~~', 'strike'],
    ['||s||', 'spoiler'],
  ] as const)('%s is %s', (source, type) => {
    const inner = source.replace(/[*_~|]/g, '');
    expect(parseMarkdown(source)).toEqual([{ type, children: [text(inner)] }]);
  });

  it('inline code keeps its text raw: no markdown, links or mentions inside', () => {
    expect(parseMarkdown('`**x** https://a.example @ann`')).toEqual([
      { type: 'inlineCode', code: '**x** https://a.example @ann' },
    ]);
  });

  it('code blocks with and without a language', () => {
    expect(parseMarkdown('```ts\nconst a = 1;\n```\nafter')).toEqual([
      { type: 'codeBlock', lang: 'ts', code: 'const a = 1;' },
      text('after'),
    ]);
    expect(parseMarkdown('```plain *text*```')).toEqual([
      { type: 'codeBlock', lang: '', code: 'plain *text*' },
    ]);
  });

  it('block quotes: > per line, >>> to the end', () => {
    expect(parseMarkdown('> one\n> **two**\nafter')).toEqual([
      { type: 'quote', children: [text('one'), { type: 'br' }, { type: 'strong', children: [text('two')] }] },
      text('after'),
    ]);
    expect(parseMarkdown('>>> all\nof it')).toEqual([
      { type: 'quote', children: [text('all'), { type: 'br' }, text('of it')] },
    ]);
    expect(parseMarkdown('a > b')).toEqual([text('a > b')]);
  });

  it('headings only at the start of a line', () => {
    expect(parseMarkdown('# One\n## Two\n### Three\nx # not')).toEqual([
      { type: 'heading', level: 1, children: [text('One')] },
      { type: 'heading', level: 2, children: [text('Two')] },
      { type: 'heading', level: 3, children: [text('Three')] },
      text('x # not'),
    ]);
    expect(parseMarkdown('#nospace')).toEqual([text('#nospace')]);
  });

  it('lists: - and * bullets, numbered from the first number', () => {
    expect(parseMarkdown('intro\n- a\n* **b**\n3. three\n4. four')).toEqual([
      text('intro'),
      { type: 'br' },
      {
        type: 'list',
        ordered: false,
        start: 1,
        items: [[text('a')], [{ type: 'strong', children: [text('b')] }]],
      },
      { type: 'list', ordered: true, start: 3, items: [[text('three')], [text('four')]] },
    ]);
    expect(parseMarkdown('a - b')).toEqual([text('a - b')]);
  });

  it('backslash escapes make markers plain text', () => {
    expect(parseMarkdown('\\*\\*not bold\\*\\* \\_x\\_ \\|\\|no\\|\\| \\@ann')).toEqual([
      text('**not bold** _x_ ||no|| @ann'),
    ]);
  });

  it('nests: bold italic, underlined italic, bold inside a spoiler inside a quote', () => {
    expect(parseMarkdown('***bi***')).toEqual([
      { type: 'em', children: [{ type: 'strong', children: [text('bi')] }] },
    ]);
    expect(parseMarkdown('__*ui*__')).toEqual([
      { type: 'underline', children: [{ type: 'em', children: [text('ui')] }] },
    ]);
    expect(parseMarkdown('> ||**x**||')).toEqual([
      {
        type: 'quote',
        children: [{ type: 'spoiler', children: [{ type: 'strong', children: [text('x')] }] }],
      },
    ]);
  });

  it('links and mentions keep the plain-text rules', () => {
    expect(parseMarkdown('see https://x.example/a_(b)). hi @ann. mail a@b.example')).toEqual([
      text('see '),
      { type: 'link', text: 'https://x.example/a_(b)', href: 'https://x.example/a_(b)' },
      text('). hi '),
      { type: 'mention', text: '@ann', username: 'ann' },
      text('. mail a@b.example'),
    ]);
    expect(parseMarkdown('javascript:alert(1) data:text/html,x')).toEqual([
      text('javascript:alert(1) data:text/html,x'),
    ]);
    expect(parseMarkdown('**https://x.example/*y***')[0]).toMatchObject({ type: 'strong' });
  });

  it('linksOf finds links outside code only', () => {
    const nodes = parseMarkdown(
      'https://a.example/1.png `https://b.example/2.png`\n```\nhttps://c.example/3.png\n```\n- **https://d.example/4.png**',
    );
    expect(linksOf(nodes).map((l) => l.href)).toEqual(['https://a.example/1.png', 'https://d.example/4.png']);
  });

  it('markup is text', () => {
    const payload = '<img src=x onerror=alert(1)><script>alert(2)</script>';
    expect(parseMarkdown(payload)).toEqual([text(payload)]);
  });

  it('a list item starting with a marker is text, not another list', () => {
    expect(parseMarkdown('- - - a')).toEqual([
      { type: 'list', ordered: false, start: 1, items: [[text('- - a')]] },
    ]);
  });

  it('4000 characters of nested and unclosed markers parse fast', () => {
    const inputs = [
      '*'.repeat(4000),
      '**_'.repeat(1333),
      '__**~~||'.repeat(500),
      '*a **b _c ~~d ||e `'.repeat(200),
      '> '.repeat(2000),
      '- '.repeat(2000),
      '\\'.repeat(4000),
      '`'.repeat(4000),
      '```a\n'.repeat(800),
      '* a\n'.repeat(1000),
      `${'*'.repeat(2000)}x${'*'.repeat(1999)}`,
      `${'||**'.repeat(500)}x${'**||'.repeat(500)}`,
      ' *'.repeat(2000),
      'https://a.example/'.repeat(200),
      '@aa'.repeat(1333),
    ];
    for (const input of inputs) {
      // Exponential backtracking would not finish within the test's timeout; speed itself is not asserted.
      const nodes = parseMarkdown(input.slice(0, 4000));
      expect(nodes.length, input.slice(0, 10)).toBeGreaterThan(0);
      expect(depth(nodes)).toBeLessThanOrEqual(12);
    }
  });
});
