import type { StoreMessage } from '@decentra/client';
import { PENDING_PREFIX } from '@decentra/client';
import { compareIds } from '@decentra/protocol';

/**
 * The first message someone else wrote after `afterId` (the last one read; null: never read, so
 * the first held), where the "New messages" line goes; -1 when none is held.
 */
export function firstUnreadIndex(
  items: readonly StoreMessage[],
  afterId: string | null,
  me: string | undefined,
): number {
  return items.findIndex(
    (m) =>
      !m.id.startsWith(PENDING_PREFIX) &&
      m.author.id !== me &&
      (afterId === null || compareIds(m.id, afterId) > 0),
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
