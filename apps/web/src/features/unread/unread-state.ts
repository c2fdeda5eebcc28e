import type { ChatState } from '@decentra/client';
import { isMuted, isUnread, MENTION_COUNT_CAP } from '@decentra/protocol';

/** The parts of the chat state that decide what is unread. */
export type UnreadSource = Pick<ChatState, 'channels' | 'servers' | 'readStates' | 'notificationOverrides'>;

/** What a channel, a DM, a server or home shows: bold when unread, a red pill for mentions. */
export interface Badge {
  unread: boolean;
  mentions: number;
  /** Muted (itself or, for a channel, its server): no bold, no pill, dimmed. */
  muted: boolean;
}

/** True while the channel or DM, or the server it belongs to, is muted at `now`. */
export function channelMuted(s: UnreadSource, channelId: string, now: number): boolean {
  if (isMuted(s.notificationOverrides[channelId], now)) return true;
  const serverId = s.channels[channelId]?.serverId;
  return !!serverId && isMuted(s.notificationOverrides[serverId], now);
}

/** One server text channel or DM. */
export function channelBadge(s: UnreadSource, channelId: string, now: number): Badge {
  const muted = channelMuted(s, channelId, now);
  const state = s.readStates[channelId];
  if (muted || !state || !isUnread(state)) return { unread: false, mentions: 0, muted };
  return { unread: true, mentions: state.mentionCount, muted };
}

/** A server's icon: the sum of its channels that are not muted; nothing while the server is muted. */
export function serverBadge(s: UnreadSource, serverId: string, now: number): Badge {
  if (isMuted(s.notificationOverrides[serverId], now)) return { unread: false, mentions: 0, muted: true };
  return sum((s.servers[serverId]?.channelIds ?? []).map((id) => channelBadge(s, id, now)));
}

/** The home icon: the unread counts of the DMs that are not muted. */
export function homeBadge(s: UnreadSource & Pick<ChatState, 'dmIds'>, now: number): Badge {
  return sum(s.dmIds.map((id) => channelBadge(s, id, now)));
}

/** What the tab title counts: every unread mention in the servers, and every unread DM message. */
export function totalMentions(
  s: UnreadSource & Pick<ChatState, 'dmIds' | 'serverOrder'>,
  now: number,
): number {
  let total = homeBadge(s, now).mentions;
  for (const id of s.serverOrder) total += serverBadge(s, id, now).mentions;
  return total;
}

/** A count as a pill shows it: "99+" from MENTION_COUNT_CAP on. */
export function countText(count: number): string {
  return count >= MENTION_COUNT_CAP ? `${MENTION_COUNT_CAP - 1}+` : String(count);
}

/** "1 mention", "3 mentions" (for screen readers). */
export function mentionLabel(count: number): string {
  return `${countText(count)} ${count === 1 ? 'mention' : 'mentions'}`;
}

/** A row's accessible name: "general, unread, 2 mentions", "general, muted". */
export function rowLabel(name: string, badge: Badge): string {
  const parts = [name];
  if (badge.muted) parts.push('muted');
  else if (badge.unread) parts.push('unread');
  if (badge.mentions > 0) parts.push(mentionLabel(badge.mentions));
  return parts.join(', ');
}

function sum(badges: Badge[]): Badge {
  let mentions = 0;
  let unread = false;
  for (const b of badges) {
    mentions += b.mentions;
    unread ||= b.unread;
  }
  return { unread, mentions, muted: false };
}
