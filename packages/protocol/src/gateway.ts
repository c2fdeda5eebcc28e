import * as z from 'zod';
import { ErrorSchema } from './errors.js';
import { type GatewayEvent, type ParseResult, parseEventFrame } from './events.js';
import { FriendsSchema } from './friends.js';
import { NotificationOverrideSchema, ReadStateSchema } from './notifications.js';
import { PresenceSchema } from './presence.js';
import { ChannelSchema, ServerSchema } from './servers.js';
import { UserSettingsSchema } from './settings.js';
import { UserSchema } from './users.js';
import { CallSchema, VoiceStateSchema } from './voice.js';

export const CLOSE_CODES = {
  unauthorized: 4001,
  invalidFrame: 4002,
  rateLimited: 4008,
  sessionRevoked: 4009,
  /** (addition) The session was resumed on another socket; this one is no longer it. */
  sessionSuperseded: 4010,
  /** (addition) The socket fell too far behind (its unsent output passed the bound): resume. */
  slowConsumer: 4011,
  /** (addition) An admin disabled the account: log out and say so (login is refused too). */
  accountDisabled: 4012,
} as const;

export const GATEWAY_LIMITS = {
  /** Largest inbound frame, in bytes. */
  maxFrameBytes: 16 * 1024,
  /** Deepest nesting of arrays and objects in an inbound frame (or a REST body). */
  maxJsonDepth: 16,
  identifyTimeoutMs: 10_000,
  pingIntervalMs: 25_000,
  idleTimeoutMs: 60_000,
} as const;

export const RefSchema = z.string().max(64);

export const IdentifyOpSchema = z.object({
  op: z.literal('identify'),
  d: z.strictObject({ token: z.string().max(256).optional() }).default({}),
  ref: RefSchema.optional(),
});

export const ResumeOpSchema = z.object({
  op: z.literal('resume'),
  d: z.strictObject({
    token: z.string().max(256).optional(),
    sessionId: z.string().max(64),
    seq: z.number().int().min(0),
  }),
  ref: RefSchema.optional(),
});

/** Application-level keepalive for clients that cannot see WebSocket ping frames. */
export const PingOpSchema = z.object({
  op: z.literal('ping'),
  d: z.unknown().optional(),
  ref: RefSchema.optional(),
});

/** The handshake ops, for the docs (the others are in GATEWAY_OPS). */
export const HANDSHAKE_OPS = {
  identify: { d: '`{token?}`', answer: 'answered by `ready`' },
  resume: {
    d: '`{token?, sessionId, seq}`',
    answer: 'answered by the replayed events then `resumed`, or `invalid_session`',
  },
  ping: { d: '–', answer: 'answered by `{"op": "pong"}`' },
} as const;

/** The envelope every client frame must have; each op validates its own `d`. */
export const ClientFrameSchema = z.object({
  op: z.string().min(1).max(32),
  d: z.unknown().optional(),
  ref: RefSchema.optional(),
});
export type ClientFrame = z.infer<typeof ClientFrameSchema>;

export const ReplyFrameSchema = z.discriminatedUnion('ok', [
  z.object({
    op: z.literal('reply'),
    ref: RefSchema.optional(),
    ok: z.literal(true),
    d: z.unknown().optional(),
  }),
  z.object({ op: z.literal('reply'), ref: RefSchema.optional(), ok: z.literal(false), error: ErrorSchema }),
]);
export type ReplyFrame = z.infer<typeof ReplyFrameSchema>;

export const ReadyDataSchema = z
  .object({
    sessionId: z.string(),
    user: UserSchema,
    servers: z.array(ServerSchema),
    dms: z.array(ChannelSchema),
    friends: FriendsSchema,
    presences: z.array(PresenceSchema),
    voiceStates: z.array(VoiceStateSchema),
    /** Calls the user is in, ringing or under way (a tab opened while a call rings shows it). */
    calls: z.array(CallSchema),
    settings: UserSettingsSchema,
    /** Every channel (server text channel or DM) with something unread; the others are read. */
    readStates: z.array(ReadStateSchema),
    notificationOverrides: z.array(NotificationOverrideSchema),
  })
  .meta({ id: 'Ready' });
export type ReadyData = z.infer<typeof ReadyDataSchema>;

const ReadyFrameSchema = z.object({ op: z.literal('ready'), d: ReadyDataSchema });
const ResumedFrameSchema = z.object({ op: z.literal('resumed') });
const InvalidSessionFrameSchema = z.object({ op: z.literal('invalid_session') });
const PongFrameSchema = z.object({ op: z.literal('pong') });

/** Every frame the server sends but events (those are typed per `t` in events.ts). */
export const ControlFrameSchema = z.union([
  ReadyFrameSchema,
  ResumedFrameSchema,
  InvalidSessionFrameSchema,
  PongFrameSchema,
  ReplyFrameSchema,
]);
export type ControlFrame = z.infer<typeof ControlFrameSchema>;

export type ServerFrame = ControlFrame | GatewayEvent;

/** Validates any frame the server sends: control frames by shape, events by their type's schema. */
export function parseServerFrame(raw: unknown): ParseResult<ServerFrame> {
  if (typeof raw === 'object' && raw !== null && 'op' in raw && raw.op === 'event')
    return parseEventFrame(raw);
  const parsed = ControlFrameSchema.safeParse(raw);
  return parsed.success
    ? { success: true, data: parsed.data }
    : { success: false, error: z.prettifyError(parsed.error) };
}
