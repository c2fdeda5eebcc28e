import { isReactionEmoji } from '@decentra/protocol';
import type { CompactEmoji } from 'emojibase';

/** One emoji as the picker and the composer know it. */
export interface PickerEmoji {
  unicode: string;
  label: string;
  /** Discord/GitHub-style names without colons (`smile`, `thumbsup`); the first is the main one. */
  shortcodes: string[];
  tags: string[];
  group: number;
}

export interface EmojiGroup {
  index: number;
  label: string;
  emoji: PickerEmoji[];
}

export interface EmojiData {
  groups: EmojiGroup[];
  all: PickerEmoji[];
  byShortcode: Map<string, PickerEmoji>;
  byUnicode: Map<string, PickerEmoji>;
}

const GROUP_LABELS = [
  'Smileys & emotion',
  'People & body',
  'Components',
  'Animals & nature',
  'Food & drink',
  'Travel & places',
  'Activities',
  'Objects',
  'Symbols',
  'Flags',
];
/** Skin-tone swatches and hair parts: parts of other emoji, not reactions of their own. */
const COMPONENT_GROUP = 2;

let loading: Promise<EmojiData> | undefined;

/**
 * emojibase's English data and GitHub's shortcodes, fetched once as chunks of their own (about
 * 600 KB of JSON that the first page load must not carry). Only emoji the server takes as a
 * reaction (one RGI emoji, the browser's `\p{RGI_Emoji}`) are offered.
 */
export function loadEmoji(): Promise<EmojiData> {
  loading ??= Promise.all([
    import('emojibase-data/en/compact.json'),
    import('emojibase-data/en/shortcodes/github.json'),
  ]).then(([compact, github]) => build(compact.default, github.default));
  return loading;
}

function build(list: readonly CompactEmoji[], shortcodes: Record<string, string | string[]>): EmojiData {
  const all: PickerEmoji[] = [];
  for (const e of list) {
    if (e.group === undefined || e.group === COMPONENT_GROUP) continue;
    // emojibase adds U+FE0F to some that Unicode's RGI form writes without it (👍️ for 👍).
    const unicode = [e.unicode, e.unicode.replaceAll('\uFE0F', '')].find(isReactionEmoji);
    if (unicode === undefined) continue;
    const codes = shortcodes[e.hexcode];
    all.push({
      unicode,
      label: e.label,
      shortcodes: codes === undefined ? [] : typeof codes === 'string' ? [codes] : codes,
      tags: e.tags ?? [],
      group: e.group,
    });
  }
  all.sort((a, b) => a.group - b.group);
  const groups: EmojiGroup[] = [];
  for (const e of all) {
    let group = groups.at(-1);
    if (group?.index !== e.group) {
      group = { index: e.group, label: GROUP_LABELS[e.group] ?? 'Other', emoji: [] };
      groups.push(group);
    }
    group.emoji.push(e);
  }
  const byShortcode = new Map<string, PickerEmoji>();
  for (const e of all) for (const code of e.shortcodes) if (!byShortcode.has(code)) byShortcode.set(code, e);
  return { groups, all, byShortcode, byUnicode: new Map(all.map((e) => [e.unicode, e])) };
}

/**
 * Emoji whose shortcode, name or tag starts with `query` (any word of the name), best first: a
 * shortcode match before a name match before a tag match.
 */
export function searchEmoji(data: EmojiData, query: string, limit = Number.POSITIVE_INFINITY): PickerEmoji[] {
  const q = query.trim().toLowerCase().replace(/^:|:$/g, '');
  if (!q) return [];
  const scored: { e: PickerEmoji; score: number }[] = [];
  for (const e of data.all) {
    const score = scoreOf(e, q);
    if (score >= 0) scored.push({ e, score });
  }
  scored.sort((a, b) => a.score - b.score);
  return scored.slice(0, limit).map((s) => s.e);
}

/**
 * Lower is better, -1 no match: a shortcode equal to the query, then shortcodes it begins (the
 * shorter the better: `smi` offers smile before smiley), the name, a word of the name, a tag.
 */
function scoreOf(e: PickerEmoji, q: string): number {
  if (e.shortcodes.includes(q)) return 0;
  const prefixed = e.shortcodes.filter((c) => c.startsWith(q));
  if (prefixed.length > 0) return 1 + Math.min(...prefixed.map((c) => c.length)) / 100;
  const label = e.label.toLowerCase();
  if (label.startsWith(q)) return 2;
  if (label.split(/[\s-]+/).some((w) => w.startsWith(q)) || e.shortcodes.some((c) => c.includes(q))) return 3;
  return e.tags.some((t) => t.startsWith(q)) ? 4 : -1;
}

/** `:smile:` written out in full becomes 😄; unknown names stay as they were typed. */
export function replaceShortcodes(text: string, data: EmojiData): string {
  return text.replace(
    /:([a-z0-9_+-]+):/g,
    (whole, code: string) => data.byShortcode.get(code)?.unicode ?? whole,
  );
}
