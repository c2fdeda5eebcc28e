import type { ChatState } from '@decentra/client';
import { type Message, notificationBody, notifyDecision } from '@decentra/protocol';
import { channelPath, dmPath } from '../../app/routes';

/** What the page knows of the reader (app/attention.ts). */
export interface Reader {
  /** Visible and focused. */
  attentive: boolean;
  /** The channel or DM on screen, if any. */
  viewing: string | null;
}

/** A message that deserves a popup and a sound: what the popup says and where a click goes. */
export interface MessageAlert {
  title: string;
  body: string;
  /** The channel id: a burst in one channel replaces its popup instead of stacking. */
  tag: string;
  /** The app path of the channel (or DM). */
  path: string;
}

export type AlertState = Pick<
  ChatState,
  'me' | 'channels' | 'servers' | 'settings' | 'notificationOverrides'
>;

/**
 * The popup a new message makes, or null: when the protocol's notifyDecision says it notifies
 * (not mine, not a call record, not muted, the mode lets it through) and it is not in the channel
 * being read (on screen while the page is visible and focused).
 */
export function messageAlert(
  message: Message,
  state: AlertState,
  reader: Reader,
  now: number,
): MessageAlert | null {
  const me = state.me;
  const channel = state.channels[message.channelId];
  if (!me || !channel) return null;
  if (reader.attentive && reader.viewing === message.channelId) return null;
  const serverId = channel.serverId ?? null;
  const decision = notifyDecision(message, {
    userId: me.id,
    serverId,
    settings: state.settings.notifications,
    overrides: state.notificationOverrides,
    now,
  });
  if (!decision.notify) return null;
  const server = serverId === null ? undefined : state.servers[serverId];
  const author = message.author.username;
  return {
    title: server ? `${author} (#${channel.name}, ${server.name})` : author,
    body: notificationBody(message.content, message.attachments),
    tag: message.channelId,
    path: serverId === null ? dmPath(channel.id) : channelPath(serverId, channel.id),
  };
}
