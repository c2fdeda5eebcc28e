import { useState } from 'react';
import { Icon } from '../../ui/Icon';
import { PinsPanel } from './PinsPanel';

/** The channel header's pin button: opens the channel's pinned messages. */
export function PinsButton({ channelId }: { channelId: string }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button
        type="button"
        className="icon-button"
        aria-label="Pinned messages"
        title="Pinned messages"
        onClick={() => setOpen(true)}
      >
        <Icon name="pin" />
      </button>
      {open && <PinsPanel channelId={channelId} onClose={() => setOpen(false)} />}
    </>
  );
}
