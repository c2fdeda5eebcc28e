import { useChatShallow } from '../../app/hooks';
import { useMuteClock } from './mute-clock';
import { type Badge, channelBadge, homeBadge, serverBadge } from './unread-state';

/** A channel's or DM's unread state, muted as of now. */
export function useChannelBadge(channelId: string): Badge {
  const now = useMuteClock((c) => c.now);
  return useChatShallow((s) => channelBadge(s, channelId, now));
}

export function useServerBadge(serverId: string): Badge {
  const now = useMuteClock((c) => c.now);
  return useChatShallow((s) => serverBadge(s, serverId, now));
}

export function useHomeBadge(): Badge {
  const now = useMuteClock((c) => c.now);
  return useChatShallow((s) => homeBadge(s, now));
}

/** Class names for a row: `unread` (bold, white) or `muted` (dimmed). */
export function badgeClass(badge: Badge): string {
  if (badge.muted) return ' is-muted';
  return badge.unread ? ' is-unread' : '';
}
