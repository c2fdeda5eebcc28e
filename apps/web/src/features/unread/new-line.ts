import { isUnread } from '@decentra/protocol';
import { create } from 'zustand';
import { chatStore } from '../../app/client';

/**
 * Where the "New messages" line goes in the open channel: after `afterId`, the last message read
 * when the channel was opened (or when the reader came back to it), null when it was never read.
 * It stays while the channel is open, however the read state moves meanwhile.
 */
interface NewLine {
  channelId: string | null;
  afterId: string | null;
}

export const useNewLine = create<NewLine>(() => ({ channelId: null, afterId: null }));

/** Puts the line where the channel's unread part starts, unless it already has one or is read. */
export function showNewLine(channelId: string): void {
  if (useNewLine.getState().channelId === channelId) return;
  const state = chatStore.getState().readStates[channelId];
  if (!state || !isUnread(state)) return;
  useNewLine.setState({ channelId, afterId: state.lastReadId });
}

/** Takes the line away (Escape, mark as read, the channel left). */
export function hideNewLine(channelId: string): void {
  if (useNewLine.getState().channelId === channelId) useNewLine.setState({ channelId: null, afterId: null });
}
