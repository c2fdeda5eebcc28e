import type { Attachment } from '@decentra/protocol';
import { Icon } from '../../ui/Icon';
import { useModal } from '../../ui/use-modal';

/**
 * An image at full size over the app: a modal <dialog> (focus kept inside, Escape closes); a
 * click anywhere but the "Open original" link closes it too.
 */
export function Lightbox({ attachment, onClose }: { attachment: Attachment; onClose: () => void }) {
  const ref = useModal();
  return (
    <dialog
      ref={ref}
      className="lightbox"
      aria-label={attachment.filename}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
      onClick={(e) => {
        if (!(e.target instanceof HTMLAnchorElement)) onClose();
      }}
      onKeyDown={(e) => {
        // Tab goes round the dialog's controls (a modal still lets it out to the browser's own UI).
        if (e.key !== 'Tab') return;
        const controls = [...e.currentTarget.querySelectorAll<HTMLElement>('a[href], button')];
        const edge = e.shiftKey ? controls[0] : controls.at(-1);
        if (document.activeElement !== edge) return;
        e.preventDefault();
        (e.shiftKey ? controls.at(-1) : controls[0])?.focus();
      }}
    >
      <img src={attachment.url} alt={attachment.filename} />
      <div className="lightbox-bar">
        <a href={attachment.url} target="_blank" rel="noopener noreferrer">
          Open original
        </a>
        <button type="button" className="icon-button" aria-label="Close" onClick={onClose}>
          <Icon name="close" size={18} />
        </button>
      </div>
    </dialog>
  );
}
