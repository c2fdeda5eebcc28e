import type { StoreMessage } from '@decentra/client';

/** A message this soon after the one above by the same author joins its group. */
export const GROUP_WINDOW_MS = 7 * 60 * 1000;

type Groupable = Pick<StoreMessage, 'author' | 'createdAt' | 'call' | 'reference'>;

/**
 * Whether `message` opens a new group (shows avatar, name and time) rather than continuing the one
 * of `previous`, the message right above it: a new author, more than seven minutes later, another
 * day (in the reader's time zone), the "New messages" line between them, or a call record on
 * either side (call records are rows of their own), or a reply (its quote heads it, as on Discord).
 */
export function startsGroup(
  previous: Groupable | undefined,
  message: Groupable,
  { newLineAbove }: { newLineAbove: boolean },
): boolean {
  if (!previous || newLineAbove || previous.call || message.call || message.reference) return true;
  if (previous.author.id !== message.author.id) return true;
  const before = new Date(previous.createdAt);
  const after = new Date(message.createdAt);
  if (after.getTime() - before.getTime() > GROUP_WINDOW_MS) return true;
  return before.toDateString() !== after.toDateString();
}
