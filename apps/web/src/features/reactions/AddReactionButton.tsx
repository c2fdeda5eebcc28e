import type { StoreMessage } from '@decentra/client';
import { useState } from 'react';
import { chat } from '../../app/client';
import { Icon } from '../../ui/Icon';
import { EmojiPicker } from '../emoji/EmojiPicker';

/**
 * "Add reaction" in a message's hover bar: opens the emoji picker by the button; an emoji the
 * user already reacted with is left as it is (the chip under the message takes it back).
 */
export function AddReactionButton({
  message,
  onError,
}: {
  message: StoreMessage;
  onError: (err: unknown) => void;
}) {
  const [picking, setPicking] = useState<DOMRect | null>(null);
  return (
    <>
      <button
        type="button"
        className="icon-button small"
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
            if (!(message.reactions ?? []).some((r) => r.emoji === emoji && r.me)) {
              chat().react(message.channelId, message.id, emoji, true).catch(onError);
            }
          }}
        />
      )}
    </>
  );
}
