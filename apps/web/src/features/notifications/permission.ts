import { create } from 'zustand';

/** Whether this page may show notifications; `unsupported` where the browser has no Notification. */
export type PermissionState = NotificationPermission | 'unsupported';

export function notificationPermission(): PermissionState {
  return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
}

/** The permission as the screens show it, kept current after a request and on a change in the browser's settings. */
export const usePermission = create<{ permission: PermissionState }>(() => ({
  permission: notificationPermission(),
}));

const refresh = () => usePermission.setState({ permission: notificationPermission() });

/** Asks the browser (only from a click: browsers refuse a prompt without a user gesture). */
export async function requestPermission(): Promise<PermissionState> {
  if (typeof Notification === 'undefined') return 'unsupported';
  try {
    await Notification.requestPermission();
  } finally {
    refresh();
  }
  return notificationPermission();
}

if (typeof navigator !== 'undefined' && navigator.permissions) {
  navigator.permissions.query({ name: 'notifications' }).then(
    (status) => status.addEventListener('change', refresh),
    () => undefined,
  );
}
