import type { StoreMessage } from '@decentra/client';
import { useState } from 'react';
import { chat } from '../../app/client';
import { errorText } from '../../ui/error-text';
import { ReactionChip } from './ReactionChip';

/**
 * The reaction bar under a message (the "Add reaction" button is in the hover bar:
 * AddReactionButton). The counts move with the `reaction_*` events (the server's answer brings no
 * state of its own), so every tab, this one included, shows what the server holds.
 */
export function MessageReactions({ message }: { message: StoreMessage }) {
  const [error, setError] = useState<string | null>(null);
  if (message.pending) return null;
  const reactions = message.reactions ?? [];
  if (reactions.length === 0 && !error) return null;
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
      {error && (
        <span className="form-error" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}
