import * as z from 'zod';
import type { AttachmentKind } from './attachments.js';
import { IdSchema, IsoTimeSchema } from './common.js';
import type { Message } from './messages.js';
import type { NotificationSettings } from './settings.js';

/** Mention counts are counted up to this (a client shows "99+" from 100 on). */
export const MENTION_COUNT_CAP = 100;

/**
 * Where a user stands in one channel (server text channel or DM). `ready` lists the channels
 * with something unread; a channel not listed is read.
 */
export const ReadStateSchema = z
  .object({
    channelId: IdSchema,
    /** The last message read (acked); null when the channel was never read. */
    lastReadId: IdSchema.nullable(),
    /** The newest message by someone else; unread when it is after `lastReadId`. */
    lastMessageId: IdSchema.nullable(),
    /**
     * Unread messages that mention the user (`@name`, `@everyone`); in a DM every unread message
     * of the other person. Counted up to MENTION_COUNT_CAP.
     */
    mentionCount: z.number().int().min(0),
  })
  .meta({ id: 'ReadState' });
export type ReadState = z.infer<typeof ReadStateSchema>;

/** True when the channel has a message by someone else after the last one read. */
export function isUnread(state: Pick<ReadState, 'lastReadId' | 'lastMessageId'>): boolean {
  if (state.lastMessageId === null) return false;
  if (state.lastReadId === null) return true;
  return compareIds(state.lastMessageId, state.lastReadId) > 0;
}

/** Orders two ids (decimal strings of 64-bit integers) as numbers. */
export function compareIds(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Gateway op `ack` and POST /channels/:id/ack: everything up to this message is read. */
export const AckBodySchema = z.strictObject({ messageId: IdSchema }).meta({ id: 'AckBody' });
export const AckOpSchema = z.strictObject({ channelId: IdSchema, messageId: IdSchema });

export const NotificationModeSchema = z.enum(['all', 'mentions', 'none']);
export type NotificationMode = z.infer<typeof NotificationModeSchema>;

export const MUTE_DURATIONS = { '15m': 15 * 60_000, '1h': 60 * 60_000, '8h': 8 * 60 * 60_000 } as const;
export const MuteDurationSchema = z.enum(['15m', '1h', '8h', 'forever']);
export type MuteDuration = z.infer<typeof MuteDurationSchema>;

/** A user's own rule for one server, channel or DM; `mode: null` follows the level above. */
export const NotificationOverrideSchema = z
  .object({
    /** A server id, a server channel id or a DM channel id. */
    targetId: IdSchema,
    mode: NotificationModeSchema.nullable(),
    muted: z.boolean(),
    /** When a mute ends by itself; null while muted means until unmuted. */
    mutedUntil: IsoTimeSchema.nullable(),
  })
  .meta({ id: 'NotificationOverride' });
export type NotificationOverride = z.infer<typeof NotificationOverrideSchema>;

/** A change of one override: a field left out stays as it is; `mute: null` unmutes. */
export const UpdateNotificationOverrideBodySchema = z
  .strictObject({
    mode: NotificationModeSchema.nullable().optional(),
    mute: MuteDurationSchema.nullable().optional(),
  })
  .meta({ id: 'UpdateNotificationOverrideBody' });
export type UpdateNotificationOverrideBody = z.infer<typeof UpdateNotificationOverrideBodySchema>;

export const NotificationTargetParamsSchema = z.strictObject({ targetId: IdSchema });

/** True while an override's mute holds at `now` (ms). */
export function isMuted(
  o: Pick<NotificationOverride, 'muted' | 'mutedUntil'> | undefined,
  now: number,
): boolean {
  if (!o?.muted) return false;
  return o.mutedUntil === null || Date.parse(o.mutedUntil) > now;
}

/** What a message means to one user. */
export interface NotifyContext {
  /** The user who would be told. */
  userId: string;
  /** The server the channel belongs to, null for a DM. */
  serverId: string | null;
  settings: NotificationSettings;
  /** The user's overrides by target id (server, channel or DM). */
  overrides: Readonly<Record<string, NotificationOverride | undefined>>;
  now: number;
}

export type NotifyDecision = { notify: false } | { notify: true; mention: boolean };

/** Whether the message mentions the user: by name, `@everyone`/`@here` in a server, or any DM. */
export function mentionsUser(
  message: Pick<Message, 'mentions' | 'mentionEveryone'>,
  userId: string,
  serverId: string | null,
): boolean {
  if (serverId === null) return true;
  return message.mentions.includes(userId) || message.mentionEveryone !== undefined;
}

/**
 * Does this message notify this user (a popup, a sound, a push)? One function for the web app and
 * the server's Web Push. The mode is the channel's override, else the server's, else the user's
 * own setting (DMs: the DM's override, else the setting, where `mentions` lets DMs through since a
 * DM is addressed to you). A mute on the channel or its server silences everything; never for
 * one's own messages or call records.
 */
export function notifyDecision(
  message: Pick<Message, 'author' | 'channelId' | 'mentions' | 'mentionEveryone' | 'call'>,
  ctx: NotifyContext,
): NotifyDecision {
  const { settings, overrides, serverId, now } = ctx;
  if (message.author.id === ctx.userId || message.call !== undefined) return { notify: false };
  if (!settings.enabled) return { notify: false };
  const channel = overrides[message.channelId];
  const server = serverId === null ? undefined : overrides[serverId];
  if (isMuted(channel, now) || isMuted(server, now)) return { notify: false };
  const mode = channel?.mode ?? server?.mode ?? settings.mode;
  const mention = mentionsUser(message, ctx.userId, serverId);
  if (mode === 'none') return { notify: false };
  if (mode === 'mentions' && !mention) return { notify: false };
  return { notify: true, mention };
}

/** What a browser gives for its push subscription (PushSubscription.toJSON()). */
export const PushSubscriptionBodySchema = z
  .strictObject({
    endpoint: z
      .url({ protocol: /^https$/, error: 'must be an https URL' })
      .max(2048, 'must be at most 2048 characters'),
    keys: z.strictObject({
      p256dh: z.base64url().min(80).max(100),
      auth: z.base64url().min(16).max(32),
    }),
    /** What toJSON() gives too; not kept (push services answer 404/410 once it has passed). */
    expirationTime: z.number().nullable().optional(),
  })
  .meta({ id: 'PushSubscriptionBody' });
export type PushSubscriptionBody = z.infer<typeof PushSubscriptionBodySchema>;

export const PushSubscriptionSchema = z
  .object({ id: IdSchema, endpoint: z.string(), createdAt: IsoTimeSchema })
  .meta({ id: 'PushSubscription' });
export const PushEndpointQuerySchema = z.strictObject({ endpoint: z.string().min(1).max(2048) });

/** The VAPID public key (base64url) a browser subscribes with. */
export const PushKeySchema = z.object({ publicKey: z.string() }).meta({ id: 'PushKey' });

/** At most this many push subscriptions (browsers) per user; a new one past it replaces the oldest. */
export const MAX_PUSH_SUBSCRIPTIONS = 10;

/** The JSON a push carries to the service worker (encrypted for the browser alone). */
export const PushPayloadSchema = z.object({
  title: z.string(),
  body: z.string(),
  /** The app path to open on a click. */
  url: z.string(),
  /** One notification per channel: a newer one replaces it. */
  tag: z.string(),
});
export type PushPayload = z.infer<typeof PushPayloadSchema>;

/**
 * A message as a notification shows it: markdown markers dropped (a popup is plain text), a
 * spoiler as "[spoiler]" (its words must not show on a lock screen), code kept as its text.
 */
export function plainMessageText(content: string): string {
  const plain = content
    .replace(/```(?:[\w+-]*\n)?([\s\S]*?)```/g, '$1')
    .replace(/\|\|[\s\S]+?\|\|/g, '[spoiler]')
    .replace(/(\*\*|__|~~|`)(?=\S)([\s\S]*?\S)\1/g, '$2')
    .replace(/(^|\s)[*_](?=\S)([^*_\n]*?\S)[*_](?=\s|$|[.,!?])/g, '$1$2')
    .replace(/^(?:>>> |> |#{1,3} )/gm, '')
    .replace(/\\([*_~`|>#\\])/g, '$1')
    .replace(/\s+/g, ' ')
    .trim();
  // A spoiler whose end was cut off (or never written) hides the rest.
  const open = plain.indexOf('||');
  return open < 0 ? plain : `${plain.slice(0, open)}[spoiler]`;
}

/**
 * A notification's body: the first 100 characters of its plain text, "[image]"/"[link]" for a bare
 * link; a message of files only names its first file's kind ("[image]", "[file] +2").
 */
export function notificationBody(
  content: string,
  attachments: readonly { kind: AttachmentKind }[] = [],
): string {
  const text = content.trim();
  const [first] = attachments;
  if (text === '' && first)
    return `[${first.kind}]${attachments.length > 1 ? ` +${attachments.length - 1}` : ''}`;
  if (/^https?:\/\/\S+$/i.test(text)) {
    return /\.(png|jpe?g|gif|webp|avif)(\?\S*)?$/i.test(text) ? '[image]' : '[link]';
  }
  // Only the start can show: the markers are looked for in what a popup could hold, no further.
  const plain = plainMessageText(text.slice(0, 400));
  return plain.length > 100 ? `${plain.slice(0, 99)}…` : plain;
}
