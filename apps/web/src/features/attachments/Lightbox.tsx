import type { Attachment } from '@decentra/protocol';
import { Icon } from '../../ui/Icon';
import { useModal } from '../../ui/use-modal';

/**
 * An image at full size over the app: a modal <dialog> (focus trapped, Escape closes); a click
 * anywhere but the picture's link closes it too.
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
        if (e.key === 'Escape') onClose();
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
