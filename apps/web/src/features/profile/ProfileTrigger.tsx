import { type ReactNode, useRef, useState } from 'react';
import { ProfilePopover } from './ProfilePopover';

/**
 * Makes a name or avatar open that user's profile popover on click. `label` names the button
 * for screen readers (the visible children may be an avatar only). `mouseOnly`: a second way in
 * beside a named one (a message's avatar beside its author's name), left out of the tab order
 * and of the accessibility tree so that keyboards and screen readers meet the profile once.
 */
export function ProfileTrigger({
  userId,
  label,
  children,
  mouseOnly = false,
}: {
  userId: string;
  label: string;
  children: ReactNode;
  mouseOnly?: boolean;
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
        {...(mouseOnly ? { tabIndex: -1, 'aria-hidden': true } : {})}
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
