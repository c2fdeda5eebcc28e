import { cleanup, fireEvent, render } from '@testing-library/react';
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

  it('makes no embed from a link by itself: the browser never fetches a linked host', () => {
    const { container } = render(
      <MessageContent content="https://i.example/cat.png https://youtu.be/dQw4w9WgXcQ" myName="me" />,
    );
    expect(container.querySelector('img, video, iframe')).toBeNull();
    expect(container.querySelectorAll('a')).toHaveLength(2);
  });

  it("shows the server's embeds: proxied pictures lazily, videos with controls, a link card", () => {
    const proxied = (u: string) => `/api/media/proxy?url=${encodeURIComponent(u)}&sig=s`;
    const { container } = render(
      <MessageContent
        content="https://i.example/cat.png?x=1 https://v.example/a.webm https://news.example/a"
        myName="me"
        embeds={[
          {
            url: 'https://i.example/cat.png?x=1',
            kind: 'image',
            image: { url: proxied('https://i.example/cat.png?x=1'), width: 320, height: 200 },
          },
          {
            url: 'https://v.example/a.webm',
            kind: 'video',
            video: { url: proxied('https://v.example/a.webm') },
          },
          {
            url: 'https://news.example/a',
            kind: 'link',
            title: '<b>Big</b> news',
            description: 'What happened',
            siteName: 'News',
            image: { url: proxied('https://news.example/card.png') },
          },
        ]}
      />,
    );
    const [img, cardImg] = container.querySelectorAll('img');
    expect(img?.getAttribute('src')).toBe(proxied('https://i.example/cat.png?x=1'));
    expect(img?.getAttribute('loading')).toBe('lazy');
    expect(img?.getAttribute('alt')).toBe('cat.png');
    expect((img as HTMLImageElement | undefined)?.style.aspectRatio).toBe('320 / 200');
    expect(container.querySelector('video')?.hasAttribute('controls')).toBe(true);
    const card = container.querySelector('.embed-card');
    expect(card?.querySelector('.embed-title')?.textContent).toBe('<b>Big</b> news');
    expect(card?.querySelector('b')).toBeNull();
    expect(card?.querySelector('.embed-site')?.textContent).toBe('News');
    expect(cardImg?.getAttribute('src')).toBe(proxied('https://news.example/card.png'));
  });

  it('YouTube: a proxied thumbnail, and youtube-nocookie in a sandbox only after a click', () => {
    const { container, getByRole } = render(
      <MessageContent
        content="https://youtu.be/dQw4w9WgXcQ"
        myName="me"
        embeds={[
          {
            url: 'https://youtu.be/dQw4w9WgXcQ',
            kind: 'youtube',
            youtubeId: 'dQw4w9WgXcQ',
            title: 'A song',
            image: { url: '/api/media/proxy?url=thumb&sig=s', width: 480, height: 360 },
          },
        ]}
      />,
    );
    expect(container.querySelector('iframe')).toBeNull();
    expect(container.querySelector('.embed-play img')?.getAttribute('src')).toBe(
      '/api/media/proxy?url=thumb&sig=s',
    );
    fireEvent.click(getByRole('button', { name: 'Play A song' }));
    const frame = container.querySelector('iframe');
    expect(frame?.getAttribute('src')).toBe('https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1');
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
