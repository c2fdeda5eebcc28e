import type { Message, UserRef } from '@decentra/protocol';

/** What a message answers: the original (its snapshot shows on the pending copy) and whether to mention its author. */
export interface ReplyOptions {
  replyTo: string;
  mentionReplied: boolean;
  original?: { author: UserRef; content: string };
}

/** A message as the store holds it: a confirmed one from the server, or our own still in flight. */
export interface StoreMessage extends Message {
  /** Set while our own message waits for the server's ack; the id is then `pending:<nonce>`. */
  pending?: 'sending' | 'failed';
  /** While sending: when the send rate limit lets it go (ms on the session's clock), if it is waiting. */
  waitUntil?: number;
  /** Why a failed send failed, in words. */
  error?: string;
  /** A pending reply's options, kept for a retry. */
  replyOptions?: ReplyOptions;
}

/** The loaded part of one channel's history: a contiguous window, oldest first. */
export interface ChannelMessages {
  items: StoreMessage[];
  /** False once a history page came back shorter than asked: nothing older exists. */
  hasOlder: boolean;
  /** True once the newest page has been fetched (the window reaches the present). */
  loaded: boolean;
  /**
   * True while the window was opened around an older message (a search result) and does not reach
   * the present: newer pages are fetched as the reader scrolls down, and live messages, which
   * belong after the gap, are not added (message-window.ts). Absent means false.
   */
  hasNewer?: boolean;
}

export const EMPTY_CHANNEL: ChannelMessages = Object.freeze({ items: [], hasOlder: true, loaded: false });

export const PENDING_PREFIX = 'pending:';

/** Orders snowflake ids (decimal strings up to 19 digits) without BigInt: length, then text. */
export function compareIds(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

export function isPending(m: StoreMessage): boolean {
  return m.pending !== undefined;
}

/** Confirmed messages by id, then pending ones in the order they were sent. */
function compareMessages(a: StoreMessage, b: StoreMessage): number {
  const pa = isPending(a);
  const pb = isPending(b);
  if (pa !== pb) return pa ? 1 : -1;
  if (pa && pb) return a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0;
  return compareIds(a.id, b.id);
}

/**
 * Merges server messages into a channel: one entry per id (a later copy replaces an earlier
 * one, e.g. an edit), a pending message is replaced by the confirmed one with its nonce, and
 * the result is ordered by id. Never mutates its input.
 */
export function mergeMessages(list: ChannelMessages, incoming: readonly Message[]): ChannelMessages {
  if (incoming.length === 0) return list;
  const byId = new Map<string, StoreMessage>();
  for (const m of list.items) byId.set(m.id, m);
  for (const m of incoming) {
    if (m.nonce !== undefined) byId.delete(PENDING_PREFIX + m.nonce);
    const existing = byId.get(m.id);
    // An older copy (e.g. a history page fetched before an edit event) must not undo the edit.
    if (existing && isNewerOrSame(existing, m)) continue;
    // An edit's copy carries no reactions: the ones held (kept up by reaction events) stay.
    const kept =
      m.reactions === undefined && existing?.reactions ? { ...m, reactions: existing.reactions } : m;
    byId.set(m.id, stripLocal(kept));
  }
  const items = [...byId.values()].sort(compareMessages);
  return { ...list, items };
}

function isNewerOrSame(existing: StoreMessage, incoming: Message): boolean {
  if (isPending(existing)) return false;
  const a = existing.editedAt ?? '';
  const b = incoming.editedAt ?? '';
  return a > b;
}

function stripLocal(m: Message): StoreMessage {
  const { pending: _p, error: _e, waitUntil: _w, replyOptions: _r, ...rest } = m as StoreMessage;
  return rest;
}

/** Adds our own message, not yet acknowledged, at the end. */
export function addPending(list: ChannelMessages, message: StoreMessage): ChannelMessages {
  const items = list.items.filter((m) => m.id !== message.id);
  items.push(message);
  return { ...list, items };
}

/** Marks pending messages (by nonce) as waiting for the rate limit until `until`. */
export function setWaiting(
  list: ChannelMessages,
  nonces: ReadonlySet<string>,
  until: number,
): ChannelMessages {
  let changed = false;
  const items = list.items.map((m) => {
    if (!m.nonce || !nonces.has(m.nonce) || m.pending !== 'sending') return m;
    changed = true;
    return { ...m, waitUntil: until };
  });
  return changed ? { ...list, items } : list;
}

/** Marks a pending message (by nonce) as sending or failed. */
export function setPendingState(
  list: ChannelMessages,
  nonce: string,
  pending: 'sending' | 'failed',
  error?: string,
): ChannelMessages {
  const id = PENDING_PREFIX + nonce;
  let changed = false;
  const items = list.items.map((m) => {
    if (m.id !== id) return m;
    changed = true;
    const { waitUntil: _w, ...unchanged } = m;
    const next: StoreMessage = { ...unchanged, pending };
    if (error === undefined) delete next.error;
    else next.error = error;
    return next;
  });
  return changed ? { ...list, items } : list;
}

export function removeMessage(list: ChannelMessages, id: string): ChannelMessages {
  const items = list.items.filter((m) => m.id !== id);
  return items.length === list.items.length ? list : { ...list, items };
}

/** Adds an older page (from `before`): `full` says whether the page was as long as asked. */
export function prependPage(list: ChannelMessages, page: readonly Message[], full: boolean): ChannelMessages {
  const merged = mergeMessages(list, page);
  return { ...merged, hasOlder: full, loaded: true };
}

/** The newest confirmed id held, for catching up with `after` after a reconnect. */
export function newestId(list: ChannelMessages): string | undefined {
  for (let i = list.items.length - 1; i >= 0; i--) {
    const m = list.items[i];
    if (m && !isPending(m)) return m.id;
  }
  return undefined;
}

export function oldestId(list: ChannelMessages): string | undefined {
  const first = list.items[0];
  return first && !isPending(first) ? first.id : undefined;
}

/** Marks a loaded message pinned or not (`channel_pins_update`). */
export function setPinned(list: ChannelMessages, id: string, pinned: boolean): ChannelMessages {
  if (!list.items.some((m) => m.id === id)) return list;
  const items = list.items.map((m) => {
    if (m.id !== id) return m;
    const next: StoreMessage = { ...m };
    if (pinned) next.pinned = true;
    else delete next.pinned;
    return next;
  });
  return { ...list, items };
}

/** The replies to a deleted message now say so (`reference.message` null, as history would). */
export function forgetOriginal(list: ChannelMessages, id: string): ChannelMessages {
  if (!list.items.some((m) => m.reference?.messageId === id && m.reference.message !== null)) return list;
  const items = list.items.map((m) =>
    m.reference?.messageId === id ? { ...m, reference: { messageId: id, message: null } } : m,
  );
  return { ...list, items };
}
