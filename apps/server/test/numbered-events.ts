import { type Audience, type DispatchMessage, dispatch } from '../src/kernel/events.js';
import type { Frame } from './ws-client.js';

/**
 * Events that carry a number, for tests of delivery order and replay: a `typing_start` whose
 * `channelId` is the number (nothing acts on it; the frame is valid by the contract).
 */
export function numbered(n: number, to: Audience): DispatchMessage {
  return dispatch('typing_start', { channelId: String(n), userId: '1', username: 'u1' }, to);
}

/** The number a `numbered` event carries; NaN for any other frame. */
export function numberOf(frame: Frame): number {
  if (frame.op !== 'event' || frame.t !== 'typing_start') return Number.NaN;
  return Number((frame.d as { channelId: string }).channelId);
}
