/**
 * The service worker (served as /sw.js, scope /): registered only when the user turns on push in
 * Settings → Notifications. It shows what a push carries (PushPayload: title, body, tag, the app
 * path to open) and, on a click, brings an open page of the app forward and has it route there
 * (a message, no reload), or opens a new window. No fetch handler: it never stands between the app
 * and the network. It imports nothing at run time, so the build emits it as one classic script.
 */
import type { PushPayload } from '@decentra/protocol';
import type { OpenMessage } from '../worker-messages';

declare const self: ServiceWorkerGlobalScope;

const HOME = '/channels/@me';

/** Only a path of this origin is ever opened. */
function appPath(url: unknown): string {
  return typeof url === 'string' && url.startsWith('/') && !url.startsWith('//') ? url : HOME;
}

function payloadOf(data: PushMessageData | null): PushPayload {
  let raw: unknown;
  try {
    raw = data?.json();
  } catch {
    raw = undefined;
  }
  const fields: Partial<Record<keyof PushPayload, unknown>> =
    typeof raw === 'object' && raw !== null ? raw : {};
  const text = (v: unknown, fallback: string) => (typeof v === 'string' ? v : fallback);
  // A push must always show something (userVisibleOnly); a malformed one says so plainly.
  return {
    title: text(fields.title, 'Decentra'),
    body: text(fields.body, 'Something new'),
    url: appPath(fields.url),
    tag: text(fields.tag, 'decentra'),
  };
}

self.addEventListener('install', () => void self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('push', (event) => {
  const payload = payloadOf(event.data);
  event.waitUntil(
    self.registration.showNotification(payload.title, {
      body: payload.body,
      tag: payload.tag,
      data: { url: payload.url },
    }),
  );
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const data: unknown = event.notification.data;
  const url = appPath(typeof data === 'object' && data !== null && 'url' in data ? data.url : undefined);
  event.waitUntil(openApp(url));
});

async function openApp(url: string): Promise<void> {
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const page = windows.find((w) => w.focused) ?? windows[0];
  if (page) {
    const message: OpenMessage = { type: 'decentra:open', url };
    await page.focus().catch(() => undefined);
    page.postMessage(message);
    return;
  }
  await self.clients.openWindow(url);
}
