import { cleanup, fireEvent, render } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { MessageContent } from '../messages/MessageContent';

afterEach(cleanup);

const show = (content: string) => render(<MessageContent content={content} myName="ann" />).container;

describe('markdown in messages', () => {
  it('renders each construct as its element', () => {
    const c = show('**b** *i* __u__ ~~s~~ `code`\n# Title\n> quoted\n- one\n- two\n1. first');
    expect(c.querySelector('strong')?.textContent).toBe('b');
    expect(c.querySelector('em')?.textContent).toBe('i');
    expect(c.querySelector('u')?.textContent).toBe('u');
    expect(c.querySelector('s')?.textContent).toBe('s');
    expect(c.querySelector('code.md-code')?.textContent).toBe('code');
    expect(c.querySelector('.md-h1')?.textContent).toBe('Title');
    expect(c.querySelector('blockquote')?.textContent).toBe('quoted');
    expect([...c.querySelectorAll('ul > li')].map((li) => li.textContent)).toEqual(['one', 'two']);
    expect(c.querySelector('ol > li')?.textContent).toBe('first');
  });

  it('a spoiler is hidden from reading and clicks until revealed', () => {
    const c = show('the end: ||he was https://x.example/ghost||');
    const bar = c.querySelector<HTMLElement>('.spoiler');
    expect(bar?.getAttribute('role')).toBe('button');
    expect(bar?.getAttribute('aria-label')).toMatch(/spoiler/i);
    expect(bar?.querySelector('[aria-hidden="true"]')?.hasAttribute('inert')).toBe(true);
    if (bar) fireEvent.click(bar);
    const shown = c.querySelector('.spoiler.revealed');
    expect(shown?.textContent).toBe('he was https://x.example/ghost');
    expect(shown?.querySelector('[aria-hidden]')).toBeNull();
    expect(shown?.querySelector('a')?.getAttribute('href')).toBe('https://x.example/ghost');
  });

  it('a code block with a language is highlighted once the highlighter has loaded', async () => {
    const { findByText, container } = render(
      <MessageContent content={'```js\nconst x = "<b>hi</b>";\n```'} myName="ann" />,
    );
    // The first import of the highlighter's chunk can take a while on a busy machine.
    const keyword = await findByText('const', { selector: '.hljs-keyword' }, { timeout: 10_000 });
    expect(keyword.tagName).toBe('SPAN');
    expect(container.querySelector('pre code')?.textContent).toBe('const x = "<b>hi</b>";');
    expect(container.querySelector('pre b')).toBeNull();
  });

  it('a code block without a language, or with an unknown one, stays plain', () => {
    const c = show('```\nlet a\n```\n```nosuchlang\nlet b\n```');
    expect([...c.querySelectorAll('pre code')].map((e) => e.textContent)).toEqual(['let a', 'let b']);
    expect(c.querySelector('pre span')).toBeNull();
  });

  it('links and mentions inside code neither link, mention nor embed', () => {
    const c = show('`https://i.example/a.png @ann`\n```\nhttps://i.example/b.png\n```');
    expect(c.querySelector('a, img, .mention')).toBeNull();
  });

  it("links inside markdown keep the safe rules (embeds are the server's, not made here)", () => {
    const c = show('**see https://i.example/cat.png** and *javascript:alert(1)*');
    const links = [...c.querySelectorAll('a[href]')].map((a) => a.getAttribute('href'));
    expect(links).toEqual(['https://i.example/cat.png']);
    expect(c.querySelector('strong a')?.getAttribute('rel')).toBe('noopener noreferrer');
    expect(c.querySelector('img')).toBeNull();
  });

  it('markup inside any construct is text, never elements', () => {
    const payload = '<img src=x onerror=alert(1)>';
    const c = show(`**${payload}** ||${payload}|| > ${payload}\n# ${payload}\n- ${payload}`);
    expect(c.querySelector('img, script')).toBeNull();
    expect(c.textContent).toContain(payload);
  });

  it('escaped markers show as typed', () => {
    const c = show('\\*\\*not bold\\*\\* \\`no code\\`');
    expect(c.querySelector('strong, code')).toBeNull();
    expect(c.textContent).toBe('**not bold** `no code`');
  });

  it('a 4000-character message of nested markers renders (within the test timeout)', () => {
    const c = show('||**~~__*'.repeat(444));
    expect(c.textContent?.length).toBeGreaterThan(0);
  });
});
