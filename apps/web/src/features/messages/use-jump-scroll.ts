import type { StoreMessage } from '@decentra/client';
import type { Virtualizer } from '@tanstack/react-virtual';
import { type RefObject, useEffect, useState } from 'react';
import { useJumpTarget } from './jump-to-message';

/** How long a message jumped to stays highlighted. */
const HIGHLIGHT_MS = 2_000;

/**
 * Follows jumpToMessage in the open conversation: scrolls the loaded message into the middle of the
 * view (leaving the bottom: new messages no longer pull the view down) and answers the id to
 * highlight for a moment.
 */
export function useJumpScroll(
  channelId: string,
  items: readonly StoreMessage[],
  virtualizer: Virtualizer<HTMLDivElement, Element>,
  stick: RefObject<boolean>,
): string | null {
  const target = useJumpTarget();
  const [highlighted, setHighlighted] = useState<string | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs for each jump, not as the list grows.
  useEffect(() => {
    if (target.channelId !== channelId || !target.messageId) return;
    const index = items.findIndex((m) => m.id === target.messageId);
    if (index < 0) return;
    stick.current = false;
    virtualizer.scrollToIndex(index, { align: 'center' });
    setHighlighted(target.messageId);
    const timer = setTimeout(() => setHighlighted(null), HIGHLIGHT_MS);
    return () => clearTimeout(timer);
  }, [target.seq, channelId]);
  return highlighted;
}
