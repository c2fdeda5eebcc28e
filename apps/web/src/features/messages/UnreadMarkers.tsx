import type { StoreMessage } from '@decentra/client';
import { PENDING_PREFIX } from '@decentra/client';
import { compareIds } from '@decentra/protocol';

/**
 * The first message someone else wrote after `afterId` (the last one read), where the "New
 * messages" line goes; -1 while that place is not loaded: the last message read must be held, or
 * the channel's beginning (`hasOlder` false; also for a channel never read, `afterId` null).
 */
export function firstUnreadIndex(
  items: readonly StoreMessage[],
  afterId: string | null,
  me: string | undefined,
  hasOlder: boolean,
): number {
  const confirmed = (m: StoreMessage) => !m.id.startsWith(PENDING_PREFIX);
  if (hasOlder) {
    const oldest = items.find(confirmed);
    if (afterId === null || !oldest || compareIds(oldest.id, afterId) > 0) return -1;
  }
  return items.findIndex(
    (m) => confirmed(m) && m.author.id !== me && (afterId === null || compareIds(m.id, afterId) > 0),
  );
}

/** The red line above the first unread message. */
export function NewMessagesLine() {
  return (
    <div className="new-messages-line">
      <span>New messages</span>
    </div>
  );
}

/** Shown when the reader is far up the history: one click back to the newest messages. */
export function JumpToPresent({ onJump }: { onJump: () => void }) {
  return (
    <div className="jump-bar">
      <span>You are viewing older messages</span>
      <button type="button" className="button small" onClick={onJump}>
        Jump to present
      </button>
    </div>
  );
}
