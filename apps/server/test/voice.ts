import type { OpReply, VoiceState } from '@decentra/protocol';
import { expect } from 'vitest';
import type { Frame, TestSocket } from './ws-client.js';

/** Voice and call steps the voice tests share, each checked as it goes. */

export async function joinVoice(socket: TestSocket, channelId: string): Promise<void> {
  const reply = await socket.request('voice_join', { channelId });
  expect(reply.ok, JSON.stringify(reply)).toBe(true);
}

/** A WebRTC offer from this socket's session to `to`; the reply says whether it was relayed. */
export function offer(socket: TestSocket, to: string, sdp = 'v=0'): Promise<Frame> {
  return socket.request('voice_signal', { to, payload: { description: { type: 'offer', sdp } } });
}

export async function startCall(socket: TestSocket, userId: string): Promise<string> {
  const reply = await socket.request('call_start', { userId });
  expect(reply.ok, JSON.stringify(reply)).toBe(true);
  return (reply.d as OpReply<'call_start'>).callId;
}

export async function acceptCall(socket: TestSocket, callId: string): Promise<void> {
  const reply = await socket.request('call_accept', { callId });
  expect(reply.ok, JSON.stringify(reply)).toBe(true);
}

/** Waits for `userId` to be shown gone from voice on this socket. */
export async function goneFromVoice(socket: TestSocket, userId: string, from = 0): Promise<VoiceState> {
  const frame = await socket.nextEvent(
    'voice_state_update',
    (d) => d.userId === userId && !d.present,
    5_000,
    from,
  );
  return frame.d;
}

/** Waits for the call to reach `state` on this socket. */
export async function callReaches(socket: TestSocket, callId: string, state: string): Promise<void> {
  await socket.nextEvent('call_update', (d) => d.callId === callId && d.state === state);
}

/** The refusal a voice or call op ended in: its code and reason. */
export function refusal(reply: Frame): { code: string | undefined; reason: unknown } {
  expect(reply.ok, JSON.stringify(reply)).toBe(false);
  const details = (reply.error as { details?: { reason?: unknown } } | undefined)?.details;
  return { code: reply.error?.code, reason: details?.reason };
}
