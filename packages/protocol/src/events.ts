import * as z from 'zod';
import { IdSchema } from './common.js';
import { FriendRemoveEventSchema, FriendRequestDeleteEventSchema, FriendRequestSchema } from './friends.js';
import { MessageSchema } from './messages.js';
import { NotificationOverrideSchema, ReadStateSchema } from './notifications.js';
import { ChannelPinsUpdateEventSchema } from './pins.js';
import { PresenceBatchSchema, PresenceSchema } from './presence.js';
import { ReactionEventSchema } from './reactions.js';
import { ChannelSchema, MemberSchema, ServerSchema } from './servers.js';
import { UserSettingsSchema } from './settings.js';
import { ImageHashSchema, UserRefSchema, UserSchema } from './users.js';
import { CallIncomingEventSchema, CallSchema, VoiceSignalEventSchema, VoiceStateSchema } from './voice.js';

/** The server's name, owner and icon as they now are (`icon` absent: none). */
export const ServerUpdateEventSchema = z.object({
  id: IdSchema,
  name: z.string(),
  ownerId: IdSchema,
  icon: ImageHashSchema.optional(),
});
export const ServerDeleteEventSchema = z.object({ id: IdSchema });
export const MemberEventSchema = z.object({ serverId: IdSchema, member: MemberSchema });
export const MemberLeaveEventSchema = z.object({ serverId: IdSchema, userId: IdSchema });
export const ChannelDeleteEventSchema = z.object({ id: IdSchema, serverId: IdSchema });
export const MessageDeleteEventSchema = z.object({ id: IdSchema, channelId: IdSchema });
/** `username` lets a client name a typist it has not loaded (a member of a big server). */
export const TypingStartEventSchema = z.object({
  channelId: IdSchema,
  userId: IdSchema,
  username: z.string(),
});

/** One event type: its payload and, for the docs, who receives it. */
export interface EventSpec<S extends z.ZodType = z.ZodType> {
  d: S;
  to: string;
}

const event = <S extends z.ZodType>(d: S, to: string): EventSpec<S> => ({ d, to });

/**
 * Every event the server dispatches (`{"op": "event", "t", "d", "seq"}`), by `t`. The server can
 * only dispatch what is here, with this payload; clients reduce each one. docs/api.md's event
 * table is generated from this map.
 */
export const GATEWAY_EVENTS = {
  server_create: event(ServerSchema, 'the creator / the joiner'),
  server_update: event(ServerUpdateEventSchema, 'members'),
  server_delete: event(ServerDeleteEventSchema, 'members'),
  member_join: event(MemberEventSchema, 'members (the joiner included)'),
  member_update: event(MemberEventSchema, 'members'),
  member_leave: event(MemberLeaveEventSchema, 'members, the one leaving included (then nothing more)'),
  channel_create: event(ChannelSchema, 'members'),
  channel_update: event(ChannelSchema, 'members'),
  channel_delete: event(ChannelDeleteEventSchema, 'members'),
  message_create: event(MessageSchema, 'members of the server, or the two ends of the DM'),
  message_update: event(MessageSchema, 'members of the server, or the two ends of the DM'),
  message_delete: event(MessageDeleteEventSchema, 'members of the server, or the two ends of the DM'),
  channel_pins_update: event(
    ChannelPinsUpdateEventSchema,
    'members of the server, or the two ends of the DM',
  ),
  reaction_add: event(
    ReactionEventSchema,
    'members of the server, or the two ends of the DM (not again for a repeat)',
  ),
  reaction_remove: event(
    ReactionEventSchema,
    'members of the server, or the two ends of the DM (not for a no-op)',
  ),
  dm_create: event(ChannelSchema, 'both ends, when the DM is first opened'),
  friend_request_create: event(FriendRequestSchema, 'its two ends'),
  friend_request_delete: event(FriendRequestDeleteEventSchema, 'its two ends'),
  friend_add: event(UserRefSchema, 'each of the two (the other one as `d`)'),
  friend_remove: event(FriendRemoveEventSchema, 'each of the two (the other one as `userId`)'),
  presence_update: event(PresenceSchema, 'friends and co-members'),
  presence_batch: event(
    PresenceBatchSchema,
    'friends and co-members: instead of `presence_update`s, when several reach one user at once',
  ),
  typing_start: event(TypingStartEventSchema, 'the others in the channel or DM'),
  voice_state_update: event(VoiceStateSchema, 'members of the server'),
  voice_signal: event(VoiceSignalEventSchema, 'the addressee’s tab in the voice channel or call'),
  call_incoming: event(CallIncomingEventSchema, 'the callee'),
  call_update: event(CallSchema, 'both ends of the call'),
  user_update: event(
    UserSchema,
    'the user’s own sessions (email confirmed, admin granted or withdrawn, avatar changed)',
  ),
  user_ref_update: event(
    UserRefSchema,
    'everyone who sees the user: co-members, friends, DM partners, pending requests (avatar changed)',
  ),
  read_state_update: event(ReadStateSchema, 'the user’s own sessions, after an ack (from any of them)'),
  notification_override_update: event(
    NotificationOverrideSchema,
    'the user’s own sessions (mode null and not muted: the override is gone)',
  ),
  settings_update: event(UserSettingsSchema, 'the user’s own sessions, after a save (from any of them)'),
} as const satisfies Record<string, EventSpec>;

export type EventName = keyof typeof GATEWAY_EVENTS;
export const EVENT_NAMES = Object.keys(GATEWAY_EVENTS) as EventName[];
/** The payload of event `T`. */
export type EventData<T extends EventName> = z.infer<(typeof GATEWAY_EVENTS)[T]['d']>;

/** An event frame of type `T`; `GatewayEvent` is the union of all of them, discriminated by `t`. */
export interface EventFrameOf<T extends EventName> {
  op: 'event';
  t: T;
  d: EventData<T>;
  seq: number;
}
export type GatewayEvent = { [T in EventName]: EventFrameOf<T> }[EventName];

const EventEnvelopeSchema = z.object({
  op: z.literal('event'),
  t: z.enum(EVENT_NAMES),
  d: z.unknown(),
  seq: z.number().int().min(1),
});

export type ParseResult<T> = { success: true; data: T } | { success: false; error: string };

/** Validates an event frame against its type's schema (the test sockets and validating clients). */
export function parseEventFrame(raw: unknown): ParseResult<GatewayEvent> {
  const envelope = EventEnvelopeSchema.safeParse(raw);
  if (!envelope.success) return { success: false, error: z.prettifyError(envelope.error) };
  const { t, d, seq } = envelope.data;
  return eventFrame(t, d, seq);
}

function eventFrame<T extends EventName>(t: T, d: unknown, seq: number): ParseResult<GatewayEvent> {
  const parsed = GATEWAY_EVENTS[t].d.safeParse(d);
  if (!parsed.success) return { success: false, error: `${t}: ${z.prettifyError(parsed.error)}` };
  const frame: EventFrameOf<T> = { op: 'event', t, d: parsed.data as EventData<T>, seq };
  return { success: true, data: frame as GatewayEvent };
}
