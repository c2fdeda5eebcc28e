import type { StoreMessage } from '@decentra/client';
import { useState } from 'react';
import { chat } from '../../app/client';
import { errorText } from '../../ui/error-text';
import { Icon } from '../../ui/Icon';
import { EmojiPicker } from '../emoji/EmojiPicker';
import { ReactionChip } from './ReactionChip';

/**
 * The reaction bar under a message, and the "Add reaction" button shown while the message is
 * hovered or focused. The counts move with the `reaction_*` events (the server's answer brings no
 * state of its own), so every tab, this one included, shows what the server holds.
 */
export function MessageReactions({ message }: { message: StoreMessage }) {
  const [picking, setPicking] = useState<DOMRect | null>(null);
  const [error, setError] = useState<string | null>(null);
  if (message.pending) return null;
  const reactions = message.reactions ?? [];
  const toggle = (emoji: string, on: boolean) => {
    setError(null);
    chat()
      .react(message.channelId, message.id, emoji, on)
      .catch((err: unknown) => setError(errorText(err)));
  };
  return (
    <div className="reactions">
      {reactions.map((r) => (
        <ReactionChip
          key={r.emoji}
          channelId={message.channelId}
          messageId={message.id}
          reaction={r}
          onToggle={toggle}
        />
      ))}
      <button
        type="button"
        className="icon-button small add-reaction"
        aria-label="Add reaction"
        title="Add reaction"
        onClick={(e) => setPicking((p) => (p ? null : e.currentTarget.getBoundingClientRect()))}
      >
        <Icon name="smile" size={16} />
      </button>
      {picking && (
        <EmojiPicker
          label="Add reaction"
          anchor={picking}
          onClose={() => setPicking(null)}
          onPick={(emoji) => {
            setPicking(null);
            if (!reactions.some((r) => r.emoji === emoji && r.me)) toggle(emoji, true);
          }}
        />
      )}
      {error && (
        <span className="form-error" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}
