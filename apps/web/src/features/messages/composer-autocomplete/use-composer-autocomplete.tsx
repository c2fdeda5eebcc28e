import { type KeyboardEvent, type RefObject, useState } from 'react';
import { replaceShortcodes, searchEmoji } from '../../emoji/emoji-data';
import { useEmojiData } from '../../emoji/use-emoji-data';
import { findToken } from './find-token';
import { useMentionNames } from './use-mention-names';

const MAX_SUGGESTIONS = 8;

interface Suggestion {
  key: string;
  /** What replaces the token. */
  insert: string;
  icon: string;
  label: string;
}

interface Options {
  channelId: string;
  value: string;
  setValue: (value: string) => void;
  textarea: RefObject<HTMLTextAreaElement | null>;
}

/**
 * `:sm` offers emoji by shortcode, `@al` offers the people of the channel; arrows move, Enter or
 * Tab takes one, Escape closes. `insert` puts text at the caret (the emoji button), and
 * `finish` turns complete `:smile:` shortcodes into emoji before a send.
 */
export function useComposerAutocomplete({ channelId, value, setValue, textarea }: Options) {
  const [caret, setCaret] = useState(0);
  const [active, setActive] = useState(0);
  const [dismissed, setDismissed] = useState<string | null>(null);
  const token = findToken(value, caret);
  const tokenKey = token ? `${token.start}:${token.query}` : null;
  const emoji = useEmojiData(value.includes(':'));
  const names = useMentionNames(channelId, token?.kind === 'mention');

  let suggestions: Suggestion[] = [];
  if (token && tokenKey !== dismissed) {
    if (token.kind === 'emoji' && emoji) {
      suggestions = searchEmoji(emoji, token.query, MAX_SUGGESTIONS).map((e) => ({
        key: e.unicode,
        insert: e.unicode,
        icon: e.unicode,
        label: `:${e.shortcodes.find((c) => c.startsWith(token.query)) ?? e.shortcodes[0] ?? e.label}:`,
      }));
    } else if (token.kind === 'mention') {
      suggestions = names
        .filter((n) => n.toLowerCase().startsWith(token.query))
        .sort((a, b) => a.localeCompare(b))
        .slice(0, MAX_SUGGESTIONS)
        .map((n) => ({ key: n, insert: `@${n}`, icon: '@', label: n }));
    }
  }
  const selected = Math.min(active, Math.max(0, suggestions.length - 1));

  const replaceRange = (start: number, end: number, text: string) => {
    const next = value.slice(0, start) + text + value.slice(end);
    const at = start + text.length;
    setValue(next);
    setCaret(at);
    requestAnimationFrame(() => {
      const el = textarea.current;
      if (!el) return;
      el.focus();
      el.setSelectionRange(at, at);
    });
  };

  const take = (s: Suggestion) => {
    if (!token) return;
    replaceRange(token.start, caret, `${s.insert} `);
    setActive(0);
  };

  /** True when the key was the autocomplete's (the composer then does nothing with it). */
  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>): boolean => {
    if (suggestions.length === 0 || e.nativeEvent.isComposing) return false;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const by = e.key === 'ArrowDown' ? 1 : -1;
      setActive((selected + by + suggestions.length) % suggestions.length);
      return true;
    }
    if ((e.key === 'Enter' && !e.shiftKey) || e.key === 'Tab') {
      e.preventDefault();
      const s = suggestions[selected];
      if (s) take(s);
      return true;
    }
    if (e.key === 'Escape') {
      e.preventDefault();
      setDismissed(tokenKey);
      return true;
    }
    return false;
  };

  const track = (el: HTMLTextAreaElement) => {
    setCaret(el.selectionStart);
    setActive(0);
  };

  const popup =
    suggestions.length === 0 ? null : (
      <div
        className="composer-suggestions"
        role="listbox"
        aria-label={token?.kind === 'emoji' ? 'Emoji' : 'Mentions'}
      >
        {suggestions.map((s, i) => (
          <div
            key={s.key}
            role="option"
            tabIndex={-1}
            aria-selected={i === selected}
            onMouseDown={(e) => {
              e.preventDefault();
              take(s);
            }}
          >
            <span aria-hidden="true">{s.icon}</span>
            {s.label}
          </div>
        ))}
      </div>
    );

  return {
    onKeyDown,
    track,
    popup,
    insert: (text: string) => {
      const el = textarea.current;
      const start = el?.selectionStart ?? value.length;
      const end = el?.selectionEnd ?? value.length;
      replaceRange(start, end, text);
    },
    finish: (text: string) => (emoji ? replaceShortcodes(text, emoji) : text),
  };
}
