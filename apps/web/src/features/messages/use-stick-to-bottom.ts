import { type RefObject, useCallback, useLayoutEffect, useRef } from 'react';

/**
 * Keeps a scroller at its bottom until the reader scrolls up: whenever the content or the scroller
 * itself changes size (a row measured, media laid out late, new messages, a resized window, the
 * composer growing), a stuck scroller is moved back to the bottom. Only a scroll that moves up away
 * from the bottom unsticks it (growing content fires no scroll event, so it never does); coming back
 * within `thresholdPx` of the bottom sticks it again.
 */
export function useStickToBottom(
  scrollRef: RefObject<HTMLElement | null>,
  contentRef: RefObject<HTMLElement | null>,
  thresholdPx: number,
) {
  const stuck = useRef(true);
  const lastTop = useRef(0);

  const toBottom = useCallback(() => {
    const el = scrollRef.current;
    if (!el) return;
    el.scrollTop = el.scrollHeight;
    lastTop.current = el.scrollTop;
  }, [scrollRef]);

  /** Sticks and goes to the bottom now ("Jump to present", a message of mine sent). */
  const stick = useCallback(() => {
    stuck.current = true;
    toBottom();
  }, [toBottom]);

  useLayoutEffect(() => {
    const el = scrollRef.current;
    const content = contentRef.current;
    if (!el) return;
    const observer = new ResizeObserver(() => {
      if (!stuck.current) return;
      // Moved up since we last put it at the bottom, and its scroll event not handled yet (the
      // reader, or a page's own code, in the same frame as a row being measured): that move wins.
      // Content growing never lowers scrollTop; content shrinking lowers it only to the bottom.
      const fromBottom = el.scrollHeight - el.scrollTop - el.clientHeight;
      if (el.scrollTop < lastTop.current && fromBottom >= thresholdPx) {
        stuck.current = false;
        lastTop.current = el.scrollTop;
        return;
      }
      toBottom();
    });
    observer.observe(el);
    if (content) observer.observe(content);
    return () => observer.disconnect();
  }, [scrollRef, contentRef, toBottom, thresholdPx]);

  /** To call from the scroller's scroll handler. */
  const onScroll = useCallback(() => {
    const el = scrollRef.current;
    if (!el) return;
    const fromBottom = el.scrollHeight - el.scrollTop - el.clientHeight;
    if (fromBottom < thresholdPx) stuck.current = true;
    else if (el.scrollTop < lastTop.current) stuck.current = false;
    lastTop.current = el.scrollTop;
  }, [scrollRef, thresholdPx]);

  return { stuck, stick, toBottom, onScroll };
}
