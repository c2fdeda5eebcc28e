import * as z from 'zod';
import { IdSchema, IsoTimeSchema } from './common.js';
import { UserRefSchema } from './users.js';

export const VoiceJoinOpSchema = z.strictObject({ channelId: IdSchema });
export const VoiceLeaveOpSchema = z.strictObject({});
/** Your own state in voice: muted (you send silence) and deafened (you hear nothing; implies muted). */
export const VoiceStateOpSchema = z.strictObject({ muted: z.boolean(), deafened: z.boolean() });

/** Default cap on people in one voice channel: a WebRTC mesh sends each one's audio to every other. */
export const DEFAULT_VOICE_CHANNEL_LIMIT = 10;

/** An SDP offer or answer (RTCSessionDescriptionInit); the frame limit (16 KiB) bounds the SDP. */
export const SessionDescriptionSchema = z.strictObject({
  type: z.enum(['offer', 'answer', 'pranswer', 'rollback']),
  sdp: z.string().max(15_000).optional(),
});

/** An ICE candidate (RTCIceCandidateInit); null says the peer has gathered all of its candidates. */
export const IceCandidateSchema = z.strictObject({
  candidate: z.string().max(1_024),
  sdpMid: z.string().max(64).nullable().optional(),
  sdpMLineIndex: z.number().int().min(0).max(255).nullable().optional(),
  usernameFragment: z.string().max(256).nullable().optional(),
});

/**
 * What WebRTC peers exchange through the server: a session description or an ICE candidate.
 * Typed here so that nothing else (and nothing nested without bound) is relayed.
 */
export const VoiceSignalPayloadSchema = z
  .union([
    z.strictObject({ description: SessionDescriptionSchema }),
    z.strictObject({ candidate: IceCandidateSchema.nullable() }),
  ])
  .meta({ id: 'VoiceSignalPayload' });
export type VoiceSignalPayload = z.infer<typeof VoiceSignalPayloadSchema>;

export const VoiceSignalOpSchema = z.strictObject({ to: IdSchema, payload: VoiceSignalPayloadSchema });
export const CallStartOpSchema = z.strictObject({ userId: IdSchema });
export const CallIdSchema = z.string().min(1).max(64);
export const CallIdOpSchema = z.strictObject({ callId: CallIdSchema });
export const CallStartReplySchema = z.object({ callId: CallIdSchema });

export const VoiceStateSchema = z
  .object({
    channelId: IdSchema,
    userId: IdSchema,
    muted: z.boolean(),
    deafened: z.boolean(),
    present: z.boolean(),
  })
  .meta({ id: 'VoiceState' });
export type VoiceState = z.infer<typeof VoiceStateSchema>;

export const CallStateSchema = z.enum(['ringing', 'active', 'rejected', 'ended', 'missed']);
export type CallState = z.infer<typeof CallStateSchema>;

/** How a call ended, as recorded in the DM: `rejected` is a declined call. */
export const CallOutcomeSchema = z.enum(['missed', 'rejected', 'ended']);

/**
 * A call between two friends. `startedAt` is set once the callee answers; `channelId` is their DM,
 * where the call's record lands when it ends.
 */
export const CallSchema = z
  .object({
    callId: CallIdSchema,
    state: CallStateSchema,
    caller: UserRefSchema,
    callee: UserRefSchema,
    channelId: IdSchema,
    startedAt: IsoTimeSchema.nullable(),
  })
  .meta({ id: 'Call' });
export type Call = z.infer<typeof CallSchema>;

export const VoiceSignalEventSchema = z.object({ from: IdSchema, payload: VoiceSignalPayloadSchema });
export const CallIncomingEventSchema = z.object({
  callId: CallIdSchema,
  from: UserRefSchema,
  channelId: IdSchema,
});

export const IceServerSchema = z.object({
  urls: z.union([z.string(), z.array(z.string())]),
  username: z.string().optional(),
  credential: z.string().optional(),
});
export const IceServersResponseSchema = z
  .object({ iceServers: z.array(IceServerSchema) })
  .meta({ id: 'IceServers' });
export type IceServer = z.infer<typeof IceServerSchema>;
