import type { StoreMessage } from '@decentra/client';
import { describe, expect, it } from 'vitest';
import { cancelReply, startReply, takeReply, toggleReplyMention, useReplyDrafts } from './reply-draft';

const original: StoreMessage = {
  id: '100',
  channelId: '11',
  author: { id: '2', username: 'alice' },
  content: 'x'.repeat(300),
  mentions: [],
  createdAt: '2026-01-01T00:00:00.000Z',
  editedAt: null,
};

describe('reply drafts', () => {
  it('mention by default, toggled off, taken once by the next send', () => {
    startReply(original);
    toggleReplyMention('11');
    expect(takeReply('11')).toEqual({
      replyTo: '100',
      mentionReplied: false,
      original: { author: original.author, content: 'x'.repeat(200) },
    });
    expect(takeReply('11')).toBeUndefined();
  });

  it('is per channel, and cancelling says whether there was one', () => {
    startReply(original);
    startReply({ ...original, id: '200', channelId: '12' });
    expect(cancelReply('11')).toBe(true);
    expect(cancelReply('11')).toBe(false);
    expect(useReplyDrafts.getState()['12']).toMatchObject({ messageId: '200', mention: true });
  });
});
