import * as z from 'zod';
import { MessageSchema, SendMessageOpSchema, TypingOpSchema } from './messages.js';
import { AckOpSchema, ReadStateSchema } from './notifications.js';
import {
  CallIdOpSchema,
  CallStartOpSchema,
  CallStartReplySchema,
  VoiceJoinOpSchema,
  VoiceLeaveOpSchema,
  VoiceSignalOpSchema,
  VoiceStateOpSchema,
} from './voice.js';

/** One op a client may send after `ready`: its payload, its reply's `d`, and a line for the docs. */
export interface OpSpec<D extends z.ZodType = z.ZodType, R extends z.ZodType = z.ZodType> {
  d: D;
  /** `z.undefined()` when the reply carries no `d` (it is still sent, to say the op was done). */
  reply: R;
  doc: string;
}

const op = <D extends z.ZodType, R extends z.ZodType>(d: D, reply: R, doc: string): OpSpec<D, R> => ({
  d,
  reply,
  doc,
});
const NO_REPLY = z.undefined();

/**
 * Every op (`{"op", "d", "ref"?}`) the gateway answers after identify, by name. The server registers
 * exactly these (a missing or extra handler fails the type-check); docs/api.md's op table is made
 * from this map. `identify`, `resume` and `ping` are the handshake (gateway.ts).
 */
export const GATEWAY_OPS = {
  send_message: op(SendMessageOpSchema, MessageSchema, 'the same as POST /api/channels/:channelId/messages'),
  ack: op(
    AckOpSchema,
    ReadStateSchema,
    'mark a channel read up to a message (never back); the same as POST /api/channels/:channelId/ack',
  ),
  typing: op(TypingOpSchema, NO_REPLY, 'tells the others in the channel; at most one `typing_start` per 5 s'),
  voice_join: op(VoiceJoinOpSchema, NO_REPLY, 'join a voice channel (leaves any other)'),
  voice_leave: op(VoiceLeaveOpSchema, NO_REPLY, 'leave voice'),
  voice_state: op(VoiceStateOpSchema, NO_REPLY, 'set your mute and deafen in voice'),
  voice_signal: op(
    VoiceSignalOpSchema,
    NO_REPLY,
    'relay a WebRTC description or candidate to a peer in your voice channel or call',
  ),
  call_start: op(CallStartOpSchema, CallStartReplySchema, 'ring a friend'),
  call_accept: op(CallIdOpSchema, NO_REPLY, 'the callee answers'),
  call_reject: op(CallIdOpSchema, NO_REPLY, 'the callee declines'),
  call_end: op(
    CallIdOpSchema,
    NO_REPLY,
    'either end hangs up (while it rings: the caller cancels, the callee declines)',
  ),
} as const satisfies Record<string, OpSpec>;

export type OpName = keyof typeof GATEWAY_OPS;
export const OP_NAMES = Object.keys(GATEWAY_OPS) as OpName[];
/** What a client sends as `d` of op `N` (before defaults and trimming). */
export type OpInput<N extends OpName> = z.input<(typeof GATEWAY_OPS)[N]['d']>;
/** `d` of op `N` as the server's handler receives it (validated). */
export type OpPayload<N extends OpName> = z.output<(typeof GATEWAY_OPS)[N]['d']>;
/** The reply's `d` of op `N`. */
export type OpReply<N extends OpName> = z.infer<(typeof GATEWAY_OPS)[N]['reply']>;

export function isOpName(name: string): name is OpName {
  return Object.hasOwn(GATEWAY_OPS, name);
}
