import type { NotificationOverride } from '@decentra/protocol';
import { create } from 'zustand';
import { chatStore } from '../../app/client';

/**
 * The time mutes are judged at: moved on whenever an override changes and when the next timed
 * mute runs out, so that a channel muted for 15 minutes gets its bold and badges back by itself.
 */
export const useMuteClock = create<{ now: number }>(() => ({ now: Date.now() }));

/** setTimeout's longest delay; a later mute end is looked at again after it. */
const MAX_DELAY = 2 ** 31 - 1;

/** When the soonest timed mute after `now` ends, if any. */
export function nextMuteEnd(overrides: Iterable<NotificationOverride>, now: number): number | undefined {
  let next: number | undefined;
  for (const o of overrides) {
    if (!o.muted || o.mutedUntil === null) continue;
    const end = Date.parse(o.mutedUntil);
    if (end > now && (next === undefined || end < next)) next = end;
  }
  return next;
}

let timer: ReturnType<typeof setTimeout> | undefined;

function tick(): void {
  clearTimeout(timer);
  const now = Date.now();
  useMuteClock.setState({ now });
  const next = nextMuteEnd(Object.values(chatStore.getState().notificationOverrides), now);
  if (next !== undefined) timer = setTimeout(tick, Math.min(next - now + 20, MAX_DELAY));
}

chatStore.subscribe((s, previous) => {
  if (s.notificationOverrides !== previous.notificationOverrides) tick();
});
