import * as z from 'zod';
import { IdSchema } from './common.js';
import { ErrorCodeSchema } from './errors.js';
import { FriendsSchema } from './friends.js';
import { ChannelSchema, ServerSchema } from './servers.js';
import { UserSettingsSchema } from './settings.js';
import { UserSchema } from './users.js';
import { VoiceStateSchema } from './voice.js';

export const CLOSE_CODES = {
  unauthorized: 4001,
  invalidFrame: 4002,
  rateLimited: 4008,
  sessionRevoked: 4009,
  /** (addition) The session was resumed on another socket; this one is no longer it. */
  sessionSuperseded: 4010,
  /** (addition) The socket fell too far behind (its unsent output passed the bound): resume. */
  slowConsumer: 4011,
} as const;

export const GATEWAY_LIMITS = {
  /** Largest inbound frame, in bytes. */
  maxFrameBytes: 16 * 1024,
  identifyTimeoutMs: 10_000,
  pingIntervalMs: 25_000,
  idleTimeoutMs: 60_000,
} as const;

const Ref = z.string().max(64);

export const IdentifyOpSchema = z.object({
  op: z.literal('identify'),
  d: z.strictObject({ token: z.string().max(256).optional() }).default({}),
  ref: Ref.optional(),
});

export const ResumeOpSchema = z.object({
  op: z.literal('resume'),
  d: z.strictObject({
    token: z.string().max(256).optional(),
    sessionId: z.string().max(64),
    seq: z.number().int().min(0),
  }),
  ref: Ref.optional(),
});

/** Application-level keepalive for clients that cannot see WebSocket ping frames. */
export const PingOpSchema = z.object({
  op: z.literal('ping'),
  d: z.unknown().optional(),
  ref: Ref.optional(),
});

/** The envelope every client frame must have; each op validates its own `d`. */
export const ClientFrameSchema = z.object({
  op: z.string().min(1).max(32),
  d: z.unknown().optional(),
  ref: Ref.optional(),
});
export type ClientFrame = z.infer<typeof ClientFrameSchema>;

export const ReplyFrameSchema = z.union([
  z.object({ op: z.literal('reply'), ref: Ref.optional(), ok: z.literal(true), d: z.unknown().optional() }),
  z.object({
    op: z.literal('reply'),
    ref: Ref.optional(),
    ok: z.literal(false),
    error: z.object({ code: ErrorCodeSchema, message: z.string() }),
  }),
]);
export type ReplyFrame = z.infer<typeof ReplyFrameSchema>;

export const PresenceSchema = z.object({ userId: IdSchema, status: z.enum(['online', 'offline']) });
export type Presence = z.infer<typeof PresenceSchema>;

export const ReadyDataSchema = z
  .object({
    sessionId: z.string(),
    user: UserSchema,
    servers: z.array(ServerSchema),
    dms: z.array(ChannelSchema),
    friends: FriendsSchema,
    presences: z.array(PresenceSchema),
    voiceStates: z.array(VoiceStateSchema),
    settings: UserSettingsSchema,
  })
  .meta({ id: 'Ready' });
export type ReadyData = z.infer<typeof ReadyDataSchema>;

export interface EventFrame<T extends string = string, D = unknown> {
  op: 'event';
  t: T;
  d: D;
  seq: number;
}

export type ServerFrame =
  | { op: 'ready'; d: ReadyData }
  | { op: 'resumed' }
  | { op: 'invalid_session' }
  | { op: 'pong' }
  | ReplyFrame
  | EventFrame;
