import { isUnread } from '@decentra/protocol';
import { useEffect, useRef } from 'react';
import { isAttentive, useAttention, useViewing } from '../../app/attention';
import { useChat } from '../../app/hooks';
import { AckThrottle } from './ack-throttle';
import { markChannelRead } from './mark-read';
import { showNewLine } from './new-line';

const acks = new AckThrottle((channelId, leaving) => {
  const attention = useAttention.getState();
  // Never while the page is hidden or unfocused: what arrives then waits for the reader.
  if (!isAttentive(attention)) return;
  if (!leaving && attention.viewing !== channelId) return;
  markChannelRead(channelId);
});

/**
 * Declares the channel on screen and marks it read while the reader looks at it: on opening,
 * as messages arrive (at most one ack a second), and when the page is seen again. Coming back to
 * an unread channel, or opening one, puts the "New messages" line where the unread part starts.
 */
export function useMarkRead(channelId: string): void {
  useViewing(channelId);
  const attentive = useAttention((a) => isAttentive(a) && a.viewing === channelId);
  const newest = useChat((s) => {
    const state = s.readStates[channelId];
    return state && isUnread(state) ? state.lastMessageId : null;
  });
  const wasAttentive = useRef(false);
  useEffect(() => {
    const cameBack = attentive && !wasAttentive.current;
    wasAttentive.current = attentive;
    if (!attentive || newest === null) return;
    if (cameBack) showNewLine(channelId);
    acks.request(channelId);
  }, [attentive, newest, channelId]);
  useEffect(() => () => acks.flush(channelId), [channelId]);
}
