import type { StoreMessage } from '@decentra/client';
import { type ReplyOriginal, replyOriginalOf } from '@decentra/protocol';
import { create } from 'zustand';

/** The message the composer of a channel answers, and whether the reply mentions its author. */
export interface ReplyDraft {
  messageId: string;
  /** What the reply will quote (as the server will: the text cut to 200 characters). */
  original: ReplyOriginal;
  mention: boolean;
}

export const useReplyDrafts = create<Record<string, ReplyDraft>>(() => ({}));

/** Starts a reply to `message` in its channel's composer (mentioning its author, as Discord does). */
export function startReply(message: StoreMessage): void {
  useReplyDrafts.setState({
    [message.channelId]: {
      messageId: message.id,
      original: replyOriginalOf(message),
      mention: true,
    },
  });
}

export function toggleReplyMention(channelId: string): void {
  const draft = useReplyDrafts.getState()[channelId];
  if (draft) useReplyDrafts.setState({ [channelId]: { ...draft, mention: !draft.mention } });
}

/** Cancels the channel's reply; true if there was one. */
export function cancelReply(channelId: string): boolean {
  const drafts = useReplyDrafts.getState();
  if (!drafts[channelId]) return false;
  const { [channelId]: _gone, ...rest } = drafts;
  useReplyDrafts.setState(rest, true);
  return true;
}

/** The send options of the channel's reply (taken: the composer's next message is a plain one again). */
export function takeReply(channelId: string) {
  const draft = useReplyDrafts.getState()[channelId];
  if (!draft) return undefined;
  cancelReply(channelId);
  return {
    replyTo: draft.messageId,
    mentionReplied: draft.mention,
    original: draft.original,
  };
}
