import type { Reaction, ReactionEvent } from '@decentra/protocol';
import type { ChatState } from './chat-store.js';
import type { StoreMessage } from './message-list.js';

/**
 * One person's reaction added or taken back, on the message held (if it is held). The event names
 * the person, not the count: `me` is this client's own (`userId` is the signed-in user), and the
 * count moves by one. A repeat the server never sends would count twice, so a `me` already set or
 * unset is not applied again.
 */
export function withReaction(s: ChatState, d: ReactionEvent, added: boolean): Partial<ChatState> {
  const list = s.messages[d.channelId];
  if (!list) return {};
  const mine = d.userId === s.me?.id;
  let changed = false;
  const items = list.items.map((m) => {
    if (m.id !== d.messageId) return m;
    const reactions = moved(m.reactions ?? [], d.emoji, mine, added);
    if (!reactions) return m;
    changed = true;
    const next: StoreMessage = { ...m, reactions };
    return next;
  });
  return changed ? { messages: { ...s.messages, [d.channelId]: { ...list, items } } } : {};
}

/** The reactions after the change; null when it changes nothing. */
function moved(
  reactions: readonly Reaction[],
  emoji: string,
  mine: boolean,
  added: boolean,
): Reaction[] | null {
  const i = reactions.findIndex((r) => r.emoji === emoji);
  const held = reactions[i];
  if (added) {
    if (!held) return [...reactions, { emoji, count: 1, me: mine }];
    if (mine && held.me) return null;
    return reactions.map((r, j) => (j === i ? { emoji, count: r.count + 1, me: r.me || mine } : r));
  }
  if (!held || (mine && !held.me)) return null;
  if (held.count <= 1) return reactions.filter((_, j) => j !== i);
  return reactions.map((r, j) => (j === i ? { emoji, count: r.count - 1, me: mine ? false : r.me } : r));
}
