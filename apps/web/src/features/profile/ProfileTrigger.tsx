import { type ReactNode, useRef, useState } from 'react';
import { ProfilePopover } from './ProfilePopover';

/**
 * Makes a name or avatar open that user's profile popover on click. `label` names the button
 * for screen readers (the visible children may be an avatar only).
 */
export function ProfileTrigger({
  userId,
  label,
  children,
}: {
  userId: string;
  label: string;
  children: ReactNode;
}) {
  const anchor = useRef<HTMLButtonElement>(null);
  const [open, setOpen] = useState(false);
  return (
    <>
      <button
        ref={anchor}
        type="button"
        className="profile-trigger"
        aria-label={`Profile of ${label}`}
        aria-haspopup="dialog"
        aria-expanded={open}
        onClick={(e) => {
          // A row around the trigger may have its own click (open the DM, the channel…).
          e.stopPropagation();
          e.preventDefault();
          setOpen((o) => !o);
        }}
      >
        {children}
      </button>
      {open && anchor.current && (
        <ProfilePopover userId={userId} anchor={anchor.current} onClose={() => setOpen(false)} />
      )}
    </>
  );
}
