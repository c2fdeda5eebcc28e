import { useState } from 'react';
import { Icon } from '../../ui/Icon';
import { EmojiPicker } from './EmojiPicker';

/** The composer's emoji button: the picker, whose choice goes in at the caret. */
export function EmojiButton({ onPick }: { onPick: (emoji: string) => void }) {
  const [open, setOpen] = useState<DOMRect | null>(null);
  return (
    <>
      <button
        type="button"
        className="icon-button composer-emoji"
        aria-label="Choose an emoji"
        title="Emoji"
        onClick={(e) => setOpen((o) => (o ? null : e.currentTarget.getBoundingClientRect()))}
      >
        <Icon name="smile" />
      </button>
      {open && (
        <EmojiPicker
          anchor={open}
          onClose={() => setOpen(null)}
          onPick={(emoji) => {
            setOpen(null);
            onPick(emoji);
          }}
        />
      )}
    </>
  );
}
