/**
 * What the service worker (service-worker/sw.ts) posts to an open page of the app when its
 * notification is clicked: the page routes to `url` itself (no reload).
 */
export interface OpenMessage {
  type: 'decentra:open';
  /** An app path, e.g. /channels/@me/123. */
  url: string;
}

export function isOpenMessage(data: unknown): data is OpenMessage {
  if (typeof data !== 'object' || data === null) return false;
  const { type, url } = data as Partial<Record<keyof OpenMessage, unknown>>;
  return type === 'decentra:open' && typeof url === 'string' && url.startsWith('/') && !url.startsWith('//');
}
