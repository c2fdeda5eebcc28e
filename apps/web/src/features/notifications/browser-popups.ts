import type { Popup, PopupRequest } from './message-notifier';
import { notificationPermission } from './permission';

/**
 * Shows a popup with the page's own Notification (title and body are text: nothing is ever
 * rendered as HTML); a click runs `onClick`. Where the page may not construct one (Chrome on
 * Android allows only a service worker's), it goes through the registered worker, whose click
 * handler opens `path`. Null without permission.
 */
export function showPopup(request: PopupRequest): Popup | null {
  if (notificationPermission() !== 'granted') return null;
  try {
    const n = new Notification(request.title, { body: request.body, tag: request.tag });
    n.onclick = () => request.onClick();
    return { close: () => n.close() };
  } catch {
    return throughWorker(request);
  }
}

function throughWorker({ title, body, tag, path }: PopupRequest): Popup | null {
  if (typeof navigator === 'undefined' || !navigator.serviceWorker) return null;
  const registration = navigator.serviceWorker.getRegistration('/');
  registration
    .then((r) => r?.showNotification(title, { body, tag, data: { url: path } }))
    .catch(() => undefined);
  return {
    close: () =>
      void registration
        .then((r) => r?.getNotifications({ tag }))
        .then((shown) => {
          for (const n of shown ?? []) n.close();
        })
        .catch(() => undefined),
  };
}
