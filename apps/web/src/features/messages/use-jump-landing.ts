import type { Virtualizer } from '@tanstack/react-virtual';
import { type RefObject, useCallback, useEffect, useRef } from 'react';

/** Frames the jumped-to message must stay put, in view, before the jump counts as landed. */
const STABLE_FRAMES = 3;
/** A jump that has not settled by then (a row that keeps changing size) lands where it is. */
const MAX_LANDING_MS = 5_000;

/**
 * Brings a jumped-to message to the middle of the view and holds it there until it stays put.
 * For a few frames after the first scroll its offset still moves: rows are measured (their
 * estimated height replaced by the real one) and pages may be added around it. The message is
 * followed by id, not by index, so a page prepended meanwhile does not retarget the scroll (the
 * virtualizer's own scrollToIndex keeps the index and would land on another message).
 *
 * While it lands, scroll events are the landing's own, not the reader's: the caller holds page
 * loads back (`isLanding`), and `onLanded` runs once it is over, to load what the view now needs.
 */
export function useJumpLanding(
  scrollRef: RefObject<HTMLElement | null>,
  virtualizer: Virtualizer<HTMLDivElement, Element>,
  indexOf: (messageId: string) => number,
  onLanded: () => void,
) {
  const frame = useRef<number | null>(null);
  // The latest callbacks, read by the frame loop (it outlives the render that started it).
  const latest = useRef({ virtualizer, indexOf, onLanded });
  latest.current = { virtualizer, indexOf, onLanded };

  const stop = useCallback(() => {
    if (frame.current !== null) cancelAnimationFrame(frame.current);
    frame.current = null;
  }, []);

  const land = useCallback(
    (messageId: string) => {
      stop();
      const startedAt = performance.now();
      let stable = 0;
      const step = () => {
        const el = scrollRef.current;
        const { virtualizer: v, indexOf: find, onLanded: landed } = latest.current;
        const index = find(messageId);
        const target = index < 0 ? undefined : v.getOffsetForIndex(index, 'center')?.[0];
        if (!el || target === undefined || performance.now() - startedAt > MAX_LANDING_MS) {
          frame.current = null;
          landed();
          return;
        }
        if (Math.abs(el.scrollTop - target) > 1) {
          el.scrollTop = target;
          stable = 0;
        } else if (el.querySelector(`[data-message-id="${messageId}"]`)) {
          stable += 1;
        }
        if (stable >= STABLE_FRAMES) {
          frame.current = null;
          landed();
          return;
        }
        frame.current = requestAnimationFrame(step);
      };
      step();
    },
    [scrollRef, stop],
  );

  useEffect(() => stop, [stop]);

  const isLanding = useCallback(() => frame.current !== null, []);
  return { land, isLanding };
}
