import { cleanup, render } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { ReplyPreview } from './ReplyPreview';

afterEach(cleanup);

const author = { id: '1', username: 'ann' };
const quote = (message: Parameters<typeof ReplyPreview>[0]['reference']['message']) =>
  render(<ReplyPreview channelId="9" reference={{ messageId: '5', message }} />).container;

describe('ReplyPreview', () => {
  it("quotes the original's text, else its files, else the call", () => {
    expect(
      quote({ author, content: 'the text', attachmentCount: 1 }).querySelector('.reply-content')?.textContent,
    ).toBe('the text');
    const files = quote({ author, content: '', attachmentCount: 2 });
    expect(files.querySelector('.reply-content')?.textContent).toBe('2 attachments');
    expect(files.querySelector('button')?.getAttribute('aria-label')).toBe(
      'Reply to ann: 2 attachments. Jump to the original',
    );
    cleanup();
    expect(quote({ author, content: '', call: true }).querySelector('.reply-content')?.textContent).toBe(
      'Call',
    );
  });

  it('says when the original was deleted', () => {
    expect(quote(null).textContent).toBe('Original message was deleted');
  });
});
