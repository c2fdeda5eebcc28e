import type { StoreMessage } from '@decentra/client';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { chat } from '../../app/client';
import { useChat } from '../../app/hooks';
import { useMessageDisplay } from '../settings/message-display';
import { useNewLine } from '../unread/new-line';
import { startsGroup } from './group-messages';
import { clearJumpTarget, HIGHLIGHT_MS, useJumpTarget } from './jump-to-message';
import { MessageRow } from './MessageRow';
import { firstUnreadIndex, JumpToPresent, NewMessagesLine } from './UnreadMarkers';
import { useJumpLanding } from './use-jump-landing';
import { useStickToBottom } from './use-stick-to-bottom';

/** Closer than this to the bottom counts as "at the bottom": new messages keep it there. */
const STICK_PX = 80;
/** Closer than this to the top loads the page before. */
const LOAD_OLDER_PX = 600;
/** Farther than this many screens from the bottom shows "Jump to present". */
const FAR_SCREENS = 2;

const keyOf = (m: StoreMessage) => (m.nonce ? `n:${m.nonce}` : m.id);

/**
 * The conversation, virtualised: only the rows on screen (plus a margin) exist in the DOM, so
 * 10,000 messages scroll like 10. It sticks to the bottom for new messages, loads older pages
 * when scrolled near the top, and keeps the view still while they are prepended.
 */
export function MessageList({ channelId, title }: { channelId: string; title: string }) {
  const list = useChat((s) => s.messages[channelId]);
  const me = useChat((s) => s.me);
  const display = useMessageDisplay((s) => s.display);
  const isOwner = useChat((s) => {
    const serverId = s.channels[channelId]?.serverId;
    return serverId ? s.servers[serverId]?.ownerId === s.me?.id : false;
  });
  const items = list?.items ?? [];
  const scrollRef = useRef<HTMLDivElement>(null);
  const canvasRef = useRef<HTMLDivElement>(null);
  const {
    stuck: stick,
    stick: stickNow,
    onScroll: trackStick,
  } = useStickToBottom(scrollRef, canvasRef, STICK_PX);
  const firstKey = useRef<string | undefined>(undefined);
  const lastKey = useRef<string | undefined>(undefined);
  const [far, setFar] = useState(false);
  const lineAfter = useNewLine((l) => (l.channelId === channelId ? l.afterId : undefined));
  const lineIndex =
    lineAfter === undefined || !list?.loaded ? -1 : firstUnreadIndex(items, lineAfter, me?.id, list.hasOlder);
  const shownLine = useRef(false);
  const jump = useJumpTarget((j) => (j.channelId === channelId ? j : undefined));
  const jumpIndex = jump?.messageId ? items.findIndex((m) => m.id === jump.messageId) : -1;
  const detached = !!list?.hasNewer;

  const virtualizer = useVirtualizer({
    count: items.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => 64,
    overscan: 12,
    getItemKey: (i) => {
      const m = items[i];
      return m ? keyOf(m) : i;
    },
  });
  // Stuck to the bottom, a row changing size moves nothing: the stick-to-bottom hook goes back to
  // the bottom once the canvas has its new height. Otherwise rows above the view keep it still.
  virtualizer.shouldAdjustScrollPositionOnItemSizeChange = (item, _delta, instance) =>
    !stick.current && item.start < (instance.scrollOffset ?? 0);

  // Prepended older messages: move the view down by their height so what was on screen stays put.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when the list changes.
  useLayoutEffect(() => {
    const el = scrollRef.current;
    const first = items[0];
    const previousFirst = firstKey.current;
    firstKey.current = first ? keyOf(first) : undefined;
    if (!el || !first) return;
    // A message of mine just sent brings me to the bottom, as it would in any chat.
    const last = items[items.length - 1];
    if (last?.pending && last.author.id === me?.id && keyOf(last) !== lastKey.current) stick.current = true;
    lastKey.current = last ? keyOf(last) : undefined;
    if (stick.current) {
      stickNow();
      return;
    }
    if (previousFirst && previousFirst !== keyOf(first)) {
      const index = items.findIndex((m) => keyOf(m) === previousFirst);
      const start = index > 0 ? virtualizer.measurementsCache[index]?.start : undefined;
      if (start) el.scrollTop += start;
    }
  }, [items]);

  const loadOlder = useCallback(() => {
    chat()
      .loadOlder(channelId)
      .catch(() => undefined);
  }, [channelId]);

  /** Loads the page before or after the window when the view is near that end. */
  const loadPagesNearEdges = () => {
    const el = scrollRef.current;
    if (!el) return;
    const fromBottom = el.scrollHeight - el.scrollTop - el.clientHeight;
    if (el.scrollTop < LOAD_OLDER_PX && list?.hasOlder && list.loaded) loadOlder();
    if (fromBottom < LOAD_OLDER_PX && detached) {
      chat()
        .loadNewer(channelId)
        .catch(() => undefined);
    }
  };

  const itemsRef = useRef(items);
  itemsRef.current = items;
  const loadPagesNearEdgesRef = useRef(loadPagesNearEdges);
  loadPagesNearEdgesRef.current = loadPagesNearEdges;
  const { land, isLanding } = useJumpLanding(
    scrollRef,
    virtualizer,
    (id) => itemsRef.current.findIndex((m) => m.id === id),
    () => loadPagesNearEdgesRef.current(),
  );
  // A jump's window is on its way or its message is being brought into view: a page loaded now
  // would land around a view that is about to move.
  const jumpUnderWay = () => isLanding() || (!!jump?.messageId && jumpIndex < 0);

  const onScroll = () => {
    const el = scrollRef.current;
    if (!el) return;
    const fromBottom = el.scrollHeight - el.scrollTop - el.clientHeight;
    trackStick();
    // A window detached from the present (a jump) does not stick: its bottom is not the present.
    if (detached) stick.current = false;
    setFar(fromBottom > FAR_SCREENS * el.clientHeight);
    if (!jumpUnderWay()) loadPagesNearEdges();
  };

  // A jump to a message (a search result): once it is held, bring it to the middle of the view.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs per jump, once the message is there.
  useLayoutEffect(() => {
    if (!jump?.messageId || jumpIndex < 0) return;
    stick.current = false;
    land(jump.messageId);
    const timer = setTimeout(() => clearJumpTarget(jump.serial), HIGHLIGHT_MS);
    return () => clearTimeout(timer);
  }, [jump?.serial, jumpIndex >= 0]);

  // After each page lands, keep fetching while the view is still near the top: a short first page
  // that does not fill the view, or a reader who reached the top while a page was on its way
  // (scroll events during a load are ignored, and none fires while the view stays put).
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when the list grows.
  useEffect(() => {
    const el = scrollRef.current;
    if (!el || !list?.loaded || !list.hasOlder) return;
    // A jump's window lands where the view was (often the top, as a reader who searched had
    // scrolled up): until the jump has brought its message into view, older pages would pile up
    // above it (the landing loads what the view needs once it is over).
    if (jumpUnderWay()) return;
    const nearTop = !stick.current && el.scrollTop < LOAD_OLDER_PX;
    if (el.scrollHeight <= el.clientHeight || nearTop) loadOlder();
  }, [list?.loaded, list?.hasOlder, items.length, loadOlder]);

  // Opening at the new-messages line when the unread part is taller than the view: decided once,
  // when the line and the first page are both there (a line placed later, as the reader scrolls
  // up to it, moves nothing).
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when the line is first placed.
  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (shownLine.current || lineAfter === undefined || !list?.loaded || !el) return;
    shownLine.current = true;
    if (lineIndex < 0) return;
    const start = virtualizer.measurementsCache[lineIndex]?.start;
    if (start === undefined || virtualizer.getTotalSize() - start <= el.clientHeight) return;
    stick.current = false;
    virtualizer.scrollToIndex(lineIndex, { align: 'start' });
  }, [lineIndex, lineAfter, list?.loaded]);

  const jumpToPresent = () => {
    const el = scrollRef.current;
    if (!el) return;
    if (detached) {
      chat()
        .jumpToPresent(channelId)
        .catch(() => undefined);
    }
    setFar(false);
    stickNow();
    el.focus();
  };

  const virtualItems = virtualizer.getVirtualItems();
  return (
    <div className="message-pane">
      <div
        className="message-scroller"
        ref={scrollRef}
        onScroll={onScroll}
        role="log"
        aria-label={`Messages in ${title}`}
        aria-live="polite"
        // biome-ignore lint/a11y/noNoninteractiveTabindex: the log scrolls with the keyboard.
        tabIndex={0}
      >
        {list?.loaded && !list.hasOlder && <p className="system-line">This is the beginning of {title}.</p>}
        {list?.loaded && list.hasOlder && <p className="system-line">Loading older messages…</p>}
        {!list?.loaded && <p className="system-line">Loading messages…</p>}
        <div className="message-canvas" ref={canvasRef} style={{ height: virtualizer.getTotalSize() }}>
          {virtualItems.map((row) => {
            const m = items[row.index];
            if (!m) return null;
            const grouped = !startsGroup(items[row.index - 1], m, { newLineAbove: row.index === lineIndex });
            const mine = m.author.id === me?.id;
            return (
              <div
                key={row.key}
                data-index={row.index}
                data-message-id={m.id}
                ref={virtualizer.measureElement}
                className={row.index === jumpIndex ? 'message-slot jump-target' : 'message-slot'}
                style={{ transform: `translateY(${row.start}px)` }}
              >
                {row.index === lineIndex && <NewMessagesLine />}
                <MessageRow
                  message={m}
                  grouped={grouped}
                  display={display}
                  mine={mine}
                  canDelete={mine || isOwner}
                  myName={me?.username}
                  mentionsMe={
                    !!me && !mine && (m.mentions.includes(me.id) || m.mentionEveryone !== undefined)
                  }
                />
              </div>
            );
          })}
        </div>
      </div>
      {(far || detached) && <JumpToPresent onJump={jumpToPresent} />}
    </div>
  );
}
