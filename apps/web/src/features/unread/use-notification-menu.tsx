import { type MouseEvent, type ReactNode, useCallback, useRef, useState } from 'react';
import type { MenuTarget } from './menu-target';
import { NotificationMenu } from './NotificationMenu';

interface MenuOpener {
  /** For the row's or icon's `onContextMenu` (right click, the menu key, Shift+F10). */
  onContextMenu: (e: MouseEvent<HTMLElement>) => void;
  /** Opens the menu below a button, or closes it when open. */
  toggleBelow: (button: HTMLElement) => void;
  open: boolean;
  /** The menu while open (rendered into the body). */
  menu: ReactNode;
}

/** The notification-rules menu of one target, opened by right click or by a button. */
export function useNotificationMenu(target: MenuTarget): MenuOpener {
  const [at, setAt] = useState<{ x: number; y: number } | null>(null);
  const opener = useRef<HTMLElement | null>(null);
  /** The "…" button that opened it, which toggles it (a right click has none). */
  const [button, setButton] = useState<HTMLElement | null>(null);
  const openBelow = useCallback((el: HTMLElement) => {
    const r = el.getBoundingClientRect();
    opener.current = el;
    setAt({ x: r.left, y: r.bottom + 4 });
  }, []);
  const onContextMenu = useCallback(
    (e: MouseEvent<HTMLElement>) => {
      e.preventDefault();
      setButton(null);
      // From the keyboard the event has no pointer position: open beside the element.
      if (e.clientX === 0 && e.clientY === 0) openBelow(e.currentTarget);
      else {
        opener.current = e.currentTarget;
        setAt({ x: e.clientX, y: e.clientY });
      }
    },
    [openBelow],
  );
  const close = useCallback((restoreFocus: boolean) => {
    setAt(null);
    if (restoreFocus) opener.current?.focus();
  }, []);
  const toggleBelow = useCallback(
    (el: HTMLElement) => {
      if (at !== null) return close(true);
      setButton(el);
      openBelow(el);
    },
    [at, openBelow, close],
  );
  const menu = at ? <NotificationMenu target={target} at={at} opener={button} onClose={close} /> : null;
  return { onContextMenu, toggleBelow, open: at !== null, menu };
}
