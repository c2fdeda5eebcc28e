import * as z from 'zod';
import { IdSchema } from './common.js';

export const VoiceJoinOpSchema = z.strictObject({ channelId: IdSchema });
export const VoiceLeaveOpSchema = z.strictObject({});
export const VoiceStateOpSchema = z.strictObject({ muted: z.boolean() });
/** WebRTC offers, answers and ICE candidates travel opaque; the frame limit (16 KiB) bounds them. */
export const VoiceSignalOpSchema = z.strictObject({
  to: IdSchema,
  payload: z.record(z.string(), z.unknown()),
});
export const CallStartOpSchema = z.strictObject({ userId: IdSchema });
export const CallIdOpSchema = z.strictObject({ callId: z.string().min(1).max(64) });

export const VoiceStateSchema = z
  .object({ channelId: IdSchema, userId: IdSchema, muted: z.boolean(), present: z.boolean() })
  .meta({ id: 'VoiceState' });
export type VoiceState = z.infer<typeof VoiceStateSchema>;

export const CallStateSchema = z.enum(['ringing', 'active', 'rejected', 'ended', 'missed']);
export type CallState = z.infer<typeof CallStateSchema>;

export const IceServerSchema = z.object({
  urls: z.union([z.string(), z.array(z.string())]),
  username: z.string().optional(),
  credential: z.string().optional(),
});
export const IceServersResponseSchema = z
  .object({ iceServers: z.array(IceServerSchema) })
  .meta({ id: 'IceServers' });
export type IceServer = z.infer<typeof IceServerSchema>;
