import type { PushPayload } from '@decentra/protocol';
import type { OpenMessage } from '../worker-messages';

const HOME = '/channels/@me';

/** Only a path of this origin is ever opened. */
export function appPath(url: unknown): string {
  return typeof url === 'string' && url.startsWith('/') && !url.startsWith('//') ? url : HOME;
}

/**
 * What a push carries (PushPayload). A push must always show something (userVisibleOnly), so a
 * malformed one still gives a plain notification.
 */
export function payloadOf(data: { json(): unknown } | null): PushPayload {
  let raw: unknown;
  try {
    raw = data?.json();
  } catch {
    raw = undefined;
  }
  const fields: Partial<Record<keyof PushPayload, unknown>> =
    typeof raw === 'object' && raw !== null ? raw : {};
  const text = (v: unknown, fallback: string) => (typeof v === 'string' ? v : fallback);
  return {
    title: text(fields.title, 'Decentra'),
    body: text(fields.body, 'Something new'),
    url: appPath(fields.url),
    tag: text(fields.tag, 'decentra'),
  };
}

/** The path a clicked notification opens (its `data.url`). */
export function clickedPath(data: unknown): string {
  return appPath(typeof data === 'object' && data !== null && 'url' in data ? data.url : undefined);
}

/** The parts of the worker's `clients` a click needs. */
export interface WindowClients {
  matchAll(options: { type: 'window'; includeUncontrolled: true }): Promise<readonly AppWindow[]>;
  openWindow(url: string): Promise<unknown>;
}

export interface AppWindow {
  focused: boolean;
  focus(): Promise<unknown>;
  postMessage(message: OpenMessage): void;
}

/**
 * A click: an open page of the app (the focused one, else the first) comes forward and is told to
 * route to `url` (no reload); with none open, a new window opens at `url`.
 */
export async function openApp(clients: WindowClients, url: string): Promise<void> {
  const windows = await clients.matchAll({ type: 'window', includeUncontrolled: true });
  const page = windows.find((w) => w.focused) ?? windows[0];
  if (!page) {
    await clients.openWindow(url);
    return;
  }
  await page.focus().catch(() => undefined);
  page.postMessage({ type: 'decentra:open', url });
}
