import type { Message } from '@decentra/protocol';
import { type ChannelMessages, compareIds, isPending, mergeMessages, newestId } from './message-list.js';

/**
 * A channel's window that may be detached from the present: opened around an older message, it
 * holds a contiguous run of history with a gap between its newest message and the present.
 * Messages that arrive live while it is detached belong after the gap and are left out; they come
 * with the newer pages once the reader scrolls down to them (or "Jump to present").
 */

/** The window an `around` page opens: `page` as the server answered it for `limit` around `target`. */
export function aroundWindow(
  previous: ChannelMessages,
  page: readonly Message[],
  target: string,
  limit: number,
): ChannelMessages {
  const olderAsked = Math.floor(limit / 2);
  const older = page.filter((m) => compareIds(m.id, target) < 0).length;
  const newer = page.length - older;
  // Our own messages still on their way stay in view (a failed one keeps its retry).
  const pending = previous.items.filter(isPending);
  const list = mergeMessages({ items: pending, hasOlder: true, loaded: true }, page);
  return { ...list, hasOlder: older === olderAsked, hasNewer: newer === limit - olderAsked };
}

/** Adds a newer page (from `after`) to a detached window: `full` says whether more may follow. */
export function appendNewer(list: ChannelMessages, page: readonly Message[], full: boolean): ChannelMessages {
  return { ...mergeMessages(list, page), hasNewer: full };
}

/**
 * Merges messages that arrived live (an event, our send's ack). Attached to the present: as
 * mergeMessages. Detached: only those within the window (an edit of a message on screen); a newer
 * one is left out, and our own pending copy of it too (the confirmed message is in a newer page).
 */
export function mergeLive(list: ChannelMessages, incoming: readonly Message[]): ChannelMessages {
  if (!list.hasNewer) return mergeMessages(list, incoming);
  const newest = newestId(list);
  const inside = incoming.filter((m) => newest !== undefined && compareIds(m.id, newest) <= 0);
  const beyondNonces = new Set(
    incoming.filter((m) => !inside.includes(m) && m.nonce !== undefined).map((m) => m.nonce),
  );
  const items =
    beyondNonces.size === 0
      ? list.items
      : list.items.filter((m) => !(isPending(m) && beyondNonces.has(m.nonce)));
  return mergeMessages(items === list.items ? list : { ...list, items }, inside);
}

/** The window dropped for the present's newest page to be fetched again: only our pending messages stay. */
export function towardsPresent(list: ChannelMessages): ChannelMessages {
  return { items: list.items.filter(isPending), hasOlder: true, loaded: false, hasNewer: false };
}
