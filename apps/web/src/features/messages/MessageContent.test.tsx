import { cleanup, render } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { MessageContent } from './MessageContent';

afterEach(cleanup);

describe('MessageContent', () => {
  it('renders markup as text, never as elements', () => {
    const payload = '<img src=x onerror=alert(1)><script>alert(2)</script><b>bold</b>';
    const { container } = render(<MessageContent content={payload} myName="me" />);
    expect(container.querySelector('img, script, b')).toBeNull();
    expect(container.textContent).toBe(payload);
  });

  it('links only http(s) URLs, opening in a new tab without opener or referrer', () => {
    const { container } = render(
      <MessageContent
        content="a https://example.com/x b javascript:alert(1) data:text/html,hi"
        myName="me"
      />,
    );
    const links = container.querySelectorAll('a');
    expect(links).toHaveLength(1);
    expect(links[0]?.getAttribute('href')).toBe('https://example.com/x');
    expect(links[0]?.getAttribute('target')).toBe('_blank');
    expect(links[0]?.getAttribute('rel')).toBe('noopener noreferrer');
  });

  it('embeds images lazily, videos with controls, YouTube through youtube-nocookie in a sandbox', () => {
    const { container } = render(
      <MessageContent
        content="https://i.example/cat.png?x=1 https://v.example/a.webm https://youtu.be/dQw4w9WgXcQ"
        myName="me"
      />,
    );
    const img = container.querySelector('img');
    expect(img?.getAttribute('src')).toBe('https://i.example/cat.png?x=1');
    expect(img?.getAttribute('loading')).toBe('lazy');
    expect(img?.getAttribute('alt')).toBe('cat.png');
    expect(container.querySelector('video')?.hasAttribute('controls')).toBe(true);
    const frame = container.querySelector('iframe');
    expect(frame?.getAttribute('src')).toBe('https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ');
    expect(frame?.getAttribute('sandbox')).toBeTruthy();
  });

  it('highlights a mention of me, case-insensitively, and not of others', () => {
    const { container } = render(<MessageContent content="hi @ME and @bob" myName="me" />);
    const mentions = [...container.querySelectorAll('.mention')];
    expect(mentions.map((m) => [m.textContent, m.classList.contains('mention-me')])).toEqual([
      ['@ME', true],
      ['@bob', false],
    ]);
  });
});
