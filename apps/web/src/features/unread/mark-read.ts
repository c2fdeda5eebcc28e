import { isUnread, type ReadState } from '@decentra/protocol';
import { chat, chatStore } from '../../app/client';

/** Acks a channel or DM up to its newest message, when something in it is unread. */
export function markChannelRead(channelId: string): void {
  const state = chatStore.getState().readStates[channelId];
  if (state?.lastMessageId && isUnread(state)) chat().ack(channelId, state.lastMessageId);
}

/** Every unread channel of a server (one ack each; a server has few channels). */
export function markServerRead(serverId: string): void {
  for (const id of chatStore.getState().servers[serverId]?.channelIds ?? []) markChannelRead(id);
}

/** Whether there is anything to mark read (muted or not). */
export function hasUnread(readStates: Record<string, ReadState>, channelIds: readonly string[]): boolean {
  return channelIds.some((id) => {
    const state = readStates[id];
    return !!state && isUnread(state);
  });
}
