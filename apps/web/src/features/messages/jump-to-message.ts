import { create } from 'zustand';
import { chatStore } from '../../app/client';

/** The message the open conversation should bring into view and highlight (seq: every jump anew). */
interface JumpTarget {
  channelId: string | null;
  messageId: string | null;
  seq: number;
}

export const useJumpTarget = create<JumpTarget>(() => ({ channelId: null, messageId: null, seq: 0 }));

/**
 * Brings a message into view and highlights it, when it is among the channel's loaded messages.
 * (A message not loaded is left for history loaded around it, which this version does not fetch.)
 */
export async function jumpToMessage(channelId: string, messageId: string): Promise<void> {
  const loaded = chatStore.getState().messages[channelId]?.items.some((m) => m.id === messageId);
  if (!loaded) return;
  useJumpTarget.setState((s) => ({ channelId, messageId, seq: s.seq + 1 }));
}
