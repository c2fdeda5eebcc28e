/**
 * The service worker (served as /sw.js, scope /): registered only when the user turns on push in
 * Settings → Notifications. It shows what a push carries (PushPayload: title, body, tag, the app
 * path to open) and, on a click, brings an open page of the app forward and has it route there
 * (a message, no reload), or opens a new window. No fetch handler: it never stands between the app
 * and the network. It shares no module with the page, so the build emits it as one classic script.
 */
import { clickedPath, openApp, payloadOf } from './worker-logic';

declare const self: ServiceWorkerGlobalScope;

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
  event.waitUntil(openApp(self.clients, clickedPath(event.notification.data)));
});
