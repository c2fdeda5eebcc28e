import { type KeyboardEvent, useEffect, useMemo, useRef, useState } from 'react';
import { createPortal } from 'react-dom';
import type { PickerEmoji } from './emoji-data';
import { searchEmoji } from './emoji-data';
import { recentEmoji, rememberEmoji } from './recent-emoji';
import { useEmojiData } from './use-emoji-data';

const COLUMNS = 8;
const RECENT = -1;

interface PickerProps {
  /** Called with the chosen emoji; the picker remembers it as recently used. */
  onPick: (emoji: string) => void;
  onClose: () => void;
  /** The button that opened it: the picker opens above it (below when there is no room). */
  anchor: DOMRect;
  label?: string;
}

const WIDTH = 328;
const HEIGHT = 372;

/** Fixed, so that the message list's scroller does not clip it. */
function placeNear(anchor: DOMRect): { top: number; left: number } {
  const top =
    anchor.top > HEIGHT + 8
      ? anchor.top - HEIGHT - 4
      : Math.min(anchor.bottom + 4, window.innerHeight - HEIGHT - 8);
  const left = Math.max(8, Math.min(anchor.right - WIDTH, window.innerWidth - WIDTH - 8));
  return { top: Math.max(8, top), left };
}

/**
 * Search (name, shortcode or tag), categories, recently used; arrows move in the grid, Enter picks,
 * Escape closes. A click outside closes it too.
 */
export function EmojiPicker({ onPick, onClose, anchor, label = 'Emoji picker' }: PickerProps) {
  const data = useEmojiData();
  const [query, setQuery] = useState('');
  const recent = useMemo(() => recentEmoji(), []);
  const [tab, setTab] = useState<number>(recent.length > 0 ? RECENT : 0);
  const [active, setActive] = useState(0);
  const root = useRef<HTMLDivElement>(null);
  const grid = useRef<HTMLFieldSetElement>(null);
  const search = useRef<HTMLInputElement>(null);

  useEffect(() => search.current?.focus(), []);
  useEffect(() => {
    const away = (e: MouseEvent) => {
      if (root.current && e.target instanceof Node && !root.current.contains(e.target)) onClose();
    };
    document.addEventListener('mousedown', away);
    return () => document.removeEventListener('mousedown', away);
  }, [onClose]);

  const shown: PickerEmoji[] = useMemo(() => {
    if (!data) return [];
    if (query.trim()) return searchEmoji(data, query, 200);
    if (tab === RECENT) return recent.flatMap((u) => data.byUnicode.get(u) ?? []);
    return data.groups.find((g) => g.index === tab)?.emoji ?? [];
  }, [data, query, tab, recent]);

  const pick = (e: PickerEmoji) => {
    rememberEmoji(e.unicode);
    onPick(e.unicode);
  };

  const focusCell = (i: number) => {
    const next = Math.max(0, Math.min(shown.length - 1, i));
    setActive(next);
    grid.current?.querySelectorAll<HTMLButtonElement>('button')[next]?.focus();
  };

  const onGridKey = (e: KeyboardEvent) => {
    const moves: Record<string, number> = {
      ArrowRight: 1,
      ArrowLeft: -1,
      ArrowDown: COLUMNS,
      ArrowUp: -COLUMNS,
    };
    const by = moves[e.key];
    if (by !== undefined) {
      e.preventDefault();
      if (e.key === 'ArrowUp' && active < COLUMNS) search.current?.focus();
      else focusCell(active + by);
    } else if (e.key === 'Home') focusCell(0);
    else if (e.key === 'End') focusCell(shown.length - 1);
  };

  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      onClose();
    }
  };

  // In document.body: a message row is transformed (the virtual list), which would make `fixed`
  // relative to the row and put later rows over the picker.
  return createPortal(
    <div
      className="emoji-picker"
      role="dialog"
      aria-label={label}
      ref={root}
      onKeyDown={onKey}
      style={placeNear(anchor)}
    >
      <input
        ref={search}
        type="search"
        className="emoji-search"
        aria-label="Search emoji"
        placeholder="Search emoji"
        value={query}
        onChange={(e) => {
          setQuery(e.target.value);
          setActive(0);
        }}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') {
            e.preventDefault();
            focusCell(0);
          } else if (e.key === 'Enter') {
            e.preventDefault();
            const first = shown[0];
            if (first) pick(first);
          }
        }}
      />
      {!query.trim() && data && (
        <div className="emoji-tabs" role="tablist" aria-label="Emoji categories">
          {recent.length > 0 && (
            <button
              type="button"
              role="tab"
              aria-selected={tab === RECENT}
              title="Recently used"
              onClick={() => setTab(RECENT)}
            >
              🕘
            </button>
          )}
          {data.groups.map((g) => (
            <button
              key={g.index}
              type="button"
              role="tab"
              aria-selected={tab === g.index}
              title={g.label}
              aria-label={g.label}
              onClick={() => {
                setTab(g.index);
                setActive(0);
              }}
            >
              {g.emoji[0]?.unicode}
            </button>
          ))}
        </div>
      )}
      <p className="emoji-section">
        {!data
          ? 'Loading emoji…'
          : query.trim()
            ? shown.length === 0
              ? 'No emoji found'
              : 'Search results'
            : tab === RECENT
              ? 'Recently used'
              : data.groups.find((g) => g.index === tab)?.label}
      </p>
      <fieldset className="emoji-grid" aria-label="Emoji" ref={grid} onKeyDown={onGridKey}>
        {shown.map((e, i) => (
          <button
            key={e.unicode}
            type="button"
            className="emoji-cell"
            tabIndex={i === active ? 0 : -1}
            aria-label={e.label}
            title={e.shortcodes[0] ? `:${e.shortcodes[0]}:` : e.label}
            onFocus={() => setActive(i)}
            onClick={() => pick(e)}
          >
            {e.unicode}
          </button>
        ))}
      </fieldset>
    </div>,
    document.body,
  );
}
