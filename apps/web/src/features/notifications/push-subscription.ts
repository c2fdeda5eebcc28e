import type { RestClient } from '@decentra/client';
import type { PushSubscriptionBody } from '@decentra/protocol';

/** The worker the build emits at the root (vite.config.ts), so that its scope is the whole app. */
const WORKER_URL = '/sw.js';
const SCOPE = '/';

type PushApi = Pick<RestClient, 'getPushKey' | 'addPushSubscription' | 'removePushSubscription'>;

/** Web Push needs a service worker, the Push API and notifications. */
export function pushSupported(): boolean {
  return (
    typeof navigator !== 'undefined' &&
    'serviceWorker' in navigator &&
    typeof PushManager !== 'undefined' &&
    typeof Notification !== 'undefined'
  );
}

/** This browser's subscription, if push was turned on here (registers nothing). */
export async function currentSubscription(): Promise<PushSubscription | null> {
  const registration = await navigator.serviceWorker.getRegistration(SCOPE);
  return (await registration?.pushManager.getSubscription()) ?? null;
}

/**
 * Turns push on for this browser: the server's VAPID key first (a server without push registers
 * nothing), then the worker, a subscription with that key, and the subscription sent to the
 * server. The caller has the notification permission already.
 */
export async function enablePush(api: PushApi): Promise<void> {
  const { publicKey } = await api.getPushKey();
  const key = fromBase64Url(publicKey);
  await navigator.serviceWorker.register(WORKER_URL, { scope: SCOPE });
  const registration = await navigator.serviceWorker.ready;
  let subscription = await registration.pushManager.getSubscription();
  if (subscription && !sameKey(subscription.options.applicationServerKey, key)) {
    // Made with a key the server no longer has: it could never be sent to.
    await subscription.unsubscribe();
    subscription = null;
  }
  subscription ??= await registration.pushManager.subscribe({
    userVisibleOnly: true,
    applicationServerKey: key,
  });
  await api.addPushSubscription(subscriptionBody(subscription));
}

/** Turns push off for this browser: unsubscribed, forgotten by the server, the worker gone. */
export async function disablePush(api: PushApi): Promise<void> {
  const registration = await navigator.serviceWorker.getRegistration(SCOPE);
  const subscription = await registration?.pushManager.getSubscription();
  if (subscription) {
    const { endpoint } = subscription;
    await subscription.unsubscribe();
    await api.removePushSubscription({ endpoint });
  }
  await registration?.unregister();
}

function subscriptionBody(subscription: PushSubscription): PushSubscriptionBody {
  const { endpoint, keys } = subscription.toJSON();
  const p256dh = keys?.p256dh;
  const auth = keys?.auth;
  if (!endpoint || !p256dh || !auth) throw new Error('The browser gave an incomplete push subscription.');
  return { endpoint, keys: { p256dh, auth } };
}

function fromBase64Url(text: string): Uint8Array<ArrayBuffer> {
  const base64 = text
    .replace(/-/g, '+')
    .replace(/_/g, '/')
    .padEnd(Math.ceil(text.length / 4) * 4, '=');
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function sameKey(held: ArrayBuffer | null, key: Uint8Array): boolean {
  if (!held) return false;
  const a = new Uint8Array(held);
  return a.length === key.length && a.every((byte, i) => byte === key[i]);
}

/**
 * Logging out: this browser stops taking the account's pushes at once (unsubscribed, the worker
 * gone). The server is no longer ours to ask; it forgets the subscription when the push service
 * refuses its next push.
 */
export async function dropPush(): Promise<void> {
  if (!pushSupported()) return;
  const registration = await navigator.serviceWorker.getRegistration(SCOPE);
  await (await registration?.pushManager.getSubscription())?.unsubscribe();
  await registration?.unregister();
}
