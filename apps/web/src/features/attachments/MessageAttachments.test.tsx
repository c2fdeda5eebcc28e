import type { Attachment } from '@decentra/protocol';
import { cleanup, fireEvent, render } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { MessageAttachments } from './MessageAttachments';

afterEach(cleanup);

const base = { size: 2048, contentType: 'application/octet-stream', url: '/api/files/1/x?sig=a' };
const image: Attachment = {
  ...base,
  id: '1',
  filename: 'wide.png',
  contentType: 'image/png',
  kind: 'image',
  width: 1600,
  height: 900,
  previewUrl: '/api/files/1/preview?sig=b',
};

describe('MessageAttachments', () => {
  it('draws an image from its preview at its fitted size before it loads, alt text the file name', () => {
    const { container } = render(<MessageAttachments attachments={[image]} />);
    const img = container.querySelector('img');
    expect(img?.getAttribute('src')).toBe('/api/files/1/preview?sig=b');
    expect(img?.getAttribute('alt')).toBe('wide.png');
    expect([img?.getAttribute('width'), img?.getAttribute('height')]).toEqual(['400', '225']);
    const box = container.querySelector<HTMLElement>('.attachment-image');
    expect(box?.style.width).toBe('400px');
    expect(box?.style.aspectRatio).toBe('400 / 225');
  });

  it('opens the full-size file in a lightbox and closes it on a click', () => {
    const { container, getByRole, queryByRole } = render(<MessageAttachments attachments={[image]} />);
    fireEvent.click(getByRole('button', { name: 'Open wide.png' }));
    const dialog = container.querySelector('dialog.lightbox');
    expect(dialog?.querySelector('img')?.getAttribute('src')).toBe('/api/files/1/x?sig=a');
    expect(dialog?.querySelector('img')?.getAttribute('alt')).toBe('wide.png');
    fireEvent.click(dialog?.querySelector('img') ?? document.body);
    expect(queryByRole('dialog')).toBeNull();
    expect(container.querySelector('dialog')).toBeNull();
  });

  it('keeps Tab inside the lightbox, going round its controls', () => {
    const { container, getByRole } = render(<MessageAttachments attachments={[image]} />);
    fireEvent.click(getByRole('button', { name: 'Open wide.png' }));
    const dialog = container.querySelector('dialog');
    const link = dialog?.querySelector('a');
    const close = dialog?.querySelector('button');
    if (!dialog || !link || !close) throw new Error('no lightbox');
    close.focus();
    fireEvent.keyDown(close, { key: 'Tab' });
    expect(document.activeElement).toBe(link);
    fireEvent.keyDown(link, { key: 'Tab', shiftKey: true });
    expect(document.activeElement).toBe(close);
  });

  it('plays video and audio inline with controls, loading only their metadata', () => {
    const { container } = render(
      <MessageAttachments
        attachments={[
          { ...base, id: '2', filename: 'clip.webm', kind: 'video', width: 1920, height: 1080 },
          { ...base, id: '3', filename: 'song.ogg', kind: 'audio' },
        ]}
      />,
    );
    const video = container.querySelector('video');
    const audio = container.querySelector('audio');
    expect([video?.hasAttribute('controls'), video?.getAttribute('preload')]).toEqual([true, 'metadata']);
    expect([audio?.hasAttribute('controls'), audio?.getAttribute('preload')]).toEqual([true, 'metadata']);
    expect(video?.style.width).toBe('480px');
  });

  it('shows any other file as a card with its name, size and a download link', () => {
    const { container, getByRole } = render(
      <MessageAttachments attachments={[{ ...base, id: '4', filename: 'report.pdf', kind: 'file' }]} />,
    );
    expect(container.querySelector('.attachment-file')?.textContent).toContain('report.pdf');
    expect(container.querySelector('.attachment-file')?.textContent).toContain('2 KB');
    const link = getByRole('link', { name: 'Download report.pdf' });
    expect([link.getAttribute('href'), link.getAttribute('download')]).toEqual([
      '/api/files/1/x?sig=a',
      'report.pdf',
    ]);
  });

  it('stacks several in the order sent, and renders nothing without any', () => {
    const { container } = render(
      <MessageAttachments attachments={[image, { ...base, id: '5', filename: 'a.zip', kind: 'file' }]} />,
    );
    expect(container.querySelector('.attachments')?.children).toHaveLength(2);
    cleanup();
    expect(render(<MessageAttachments attachments={undefined} />).container.childNodes.length).toBe(0);
  });
});
