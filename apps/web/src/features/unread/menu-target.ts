import type { ChatState } from '@decentra/client';
import type { NotificationMode } from '@decentra/protocol';

/** What a notification-rules menu is about. */
export interface MenuTarget {
  kind: 'server' | 'channel' | 'dm';
  id: string;
  /** As shown in the menu's name: "general", "ann", "Chess Club". */
  name: string;
}

export const MODE_LABELS: Record<NotificationMode, string> = {
  all: 'All messages',
  mentions: 'Only @mentions',
  none: 'Nothing',
};

/** What "Default" means for a target: its server's rule for a channel, else the user's setting. */
export function defaultModeLabel(
  s: Pick<ChatState, 'channels' | 'notificationOverrides' | 'settings'>,
  target: MenuTarget,
): string {
  if (target.kind === 'channel') {
    const serverId = s.channels[target.id]?.serverId;
    const mode = serverId ? s.notificationOverrides[serverId]?.mode : null;
    if (mode) return `follows the server: ${MODE_LABELS[mode]}`;
  }
  return `follows your settings: ${MODE_LABELS[s.settings.notifications.mode]}`;
}

const time = new Intl.DateTimeFormat('en', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
const dayAndTime = new Intl.DateTimeFormat('en', {
  weekday: 'short',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** "Muted until 21:45" (with the day when it is not today), or "Muted until you unmute". */
export function mutedUntilText(mutedUntil: string | null, now: number): string {
  if (mutedUntil === null) return 'Muted until you unmute';
  const end = Date.parse(mutedUntil);
  const sameDay = new Date(end).toDateString() === new Date(now).toDateString();
  return `Muted until ${(sameDay ? time : dayAndTime).format(end)}`;
}
