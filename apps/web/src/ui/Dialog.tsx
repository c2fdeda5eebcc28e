import { type ReactNode, useId } from 'react';
import { Icon } from './Icon';
import { useModal } from './use-modal';

interface DialogProps {
  title: string;
  onClose: () => void;
  children: ReactNode;
  /** Extra class on the dialog (e.g. a wider one). */
  className?: string;
}

/** A modal on the native <dialog>: focus is trapped, Escape closes, the title names it. */
export function Dialog({ title, onClose, children, className }: DialogProps) {
  const ref = useModal();
  const titleId = useId();
  return (
    <dialog
      ref={ref}
      className={`dialog${className ? ` ${className}` : ''}`}
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <div className="dialog-head">
        <h2 id={titleId}>{title}</h2>
        <button type="button" className="icon-button" aria-label="Close" onClick={onClose}>
          <Icon name="close" size={18} />
        </button>
      </div>
      <div className="dialog-body">{children}</div>
    </dialog>
  );
}
