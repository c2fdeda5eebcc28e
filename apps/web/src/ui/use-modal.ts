import { type RefObject, useEffect, useRef } from 'react';

/** A native <dialog> shown as a modal while the component is mounted (focus trapped, top layer). */
export function useModal(): RefObject<HTMLDialogElement | null> {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);
  return ref;
}
