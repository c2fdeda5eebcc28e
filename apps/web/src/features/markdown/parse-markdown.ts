import { rules as discordRules, SimpleMarkdown } from 'discord-markdown-parser';
import type { Capture, ParserRule, SingleASTNode } from 'discord-markdown-parser/dist/simple-markdown';
import { parseMessage } from '../embeds/parse-embeds';
import { BLOCK_TYPES, type MdNode } from './md-tree';

/**
 * Discord's markdown subset, parsed by `discord-markdown-parser` (Discord's own rules on a copy of
 * simple-markdown): bold, italic, underline, strikethrough, inline code, code blocks, block
 * quotes (`>` and `>>>`), spoilers, headings, backslash escapes; plus lists (a rule of ours, as
 * the library has none) and our links and @mentions, which keep the rules of
 * features/embeds/parse-embeds.ts. Discord's own `<@id>`, custom emoji, timestamps and the
 * rest are left out: they mean nothing here and stay text. The library's loose tree is turned
 * into the typed `MdNode` tree the renderer takes.
 */

type Rule = ParserRule;

/** A capture of our own: what a rule consumed, as simple-markdown expects it. */
const capture = (...parts: string[]): Capture => Object.assign(parts, { index: 0 });

const atLineStart = (prevCapture: string) => prevCapture === '' || prevCapture.endsWith('\n');

const URL_START = /^https?:\/\/[^\s<>"'`{}|\\^]+/i;
const MENTION_START = /^@[A-Za-z0-9_.-]{2,32}/;
const WORDLIKE_END = /[A-Za-z0-9_.-]$/;

/** An http(s) link, cut and checked exactly as plain text always was (parseMessage). */
const url: Rule = {
  order: discordRules.url?.order ?? 16,
  match: (source, state, prevCapture) => {
    if (!state.inline || /\w$/.test(prevCapture)) return null;
    const raw = URL_START.exec(source)?.[0];
    const first = raw ? parseMessage(raw).segments[0] : undefined;
    return first?.kind === 'link' ? capture(first.text, first.href) : null;
  },
  parse: ([text, href]) => ({ text, href }),
};

/** `@name`, as parseMessage finds it (not inside a word or an address, no trailing dot). */
const mention: Rule = {
  order: (discordRules.em?.order ?? 21) - 0.5,
  match: (source, state, prevCapture) => {
    if (!state.inline || WORDLIKE_END.test(prevCapture)) return null;
    const raw = MENTION_START.exec(source)?.[0];
    const first = raw ? parseMessage(raw).segments[0] : undefined;
    return first?.kind === 'mention' ? capture(first.text, first.username) : null;
  },
  parse: ([text, username]) => ({ text, username }),
};

/** Consecutive lines that start with `- ` or `* ` (or `1. `, `2. `…), at the start of a line. */
const UNORDERED = /^(?:[*-] +[^\n]*(?:\n|$))+/;
const ORDERED = /^(?:\d{1,9}\. +[^\n]*(?:\n|$))+/;
const ITEM_MARKER = /^(?:[*-]|\d{1,9}\.) +/;

const list: Rule = {
  order: 5,
  match: (source, state, prevCapture) => {
    if (state.inList === true || !atLineStart(prevCapture)) return null;
    return UNORDERED.exec(source) ?? ORDERED.exec(source);
  },
  parse: ([all = ''], parse, state) => {
    const lines = all.replace(/\n$/, '').split('\n');
    const ordered = /^\d/.test(all);
    return {
      ordered,
      start: ordered ? Number.parseInt(all, 10) : 1,
      items: lines.map((line) =>
        parse(line.replace(ITEM_MARKER, ''), { ...state, inline: true, inList: true }),
      ),
    };
  },
};

/** The library's rules we keep, by name (its Discord-only ones, autolink and url are left out). */
const KEPT = [
  'blockQuote',
  'codeBlock',
  'escape',
  'em',
  'strong',
  'underline',
  'strikethrough',
  'inlineCode',
  'text',
  'br',
  'spoiler',
  'heading',
] as const;

/**
 * Markers nested deeper than this stay text: the parser recurses once per level, and a message
 * of 2,000 nested `||**` must neither overflow the stack nor render a tower of elements.
 */
const MAX_DEPTH = 12;

function depthLimited(rule: Rule): Rule {
  return {
    ...rule,
    parse: (c, parse, state) => {
      const depth = typeof state.depth === 'number' ? state.depth : 0;
      if (depth >= MAX_DEPTH) return { type: 'text', content: c[0] ?? '' };
      state.depth = depth + 1;
      try {
        return rule.parse(c, parse, state);
      } finally {
        state.depth = depth;
      }
    },
  };
}

const RULES: Record<string, Rule> = { list: depthLimited(list), url, mention };
for (const name of KEPT) {
  const rule = discordRules[name];
  if (rule) RULES[name] = depthLimited(rule);
}

const parser = SimpleMarkdown.parserFor(RULES);

export function parseMarkdown(source: string): MdNode[] {
  return toNodes(parser(source, { inline: true }));
}

/** Every link outside code, in order (what may embed). */
export function linksOf(nodes: readonly MdNode[]): Extract<MdNode, { type: 'link' }>[] {
  const out: Extract<MdNode, { type: 'link' }>[] = [];
  const walk = (list: readonly MdNode[]) => {
    for (const n of list) {
      if (n.type === 'link') out.push(n);
      else if (n.type === 'list') for (const item of n.items) walk(item);
      else if ('children' in n) walk(n.children);
    }
  };
  walk(nodes);
  return out;
}

type Loose = SingleASTNode;

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const looseList = (v: unknown): Loose[] =>
  Array.isArray(v) ? v.filter((n): n is Loose => typeof n === 'object' && n !== null && 'type' in n) : [];

/** The library's tree to ours: adjacent text merged, a line break right after a block dropped. */
function toNodes(loose: readonly Loose[]): MdNode[] {
  const out: MdNode[] = [];
  for (const node of loose) {
    const converted = toNode(node);
    if (!converted) continue;
    const prev = out[out.length - 1];
    if (converted.type === 'text' && prev?.type === 'text') prev.text += converted.text;
    else if (converted.type === 'br' && prev && BLOCK_TYPES.has(prev.type)) continue;
    else out.push(converted);
  }
  return out;
}

function toNode(node: Loose): MdNode | undefined {
  const content: unknown = node.content;
  const children = () => toNodes(looseList(content));
  switch (node.type) {
    case 'text':
      return { type: 'text', text: str(content) };
    case 'br':
      return { type: 'br' };
    case 'strong':
    case 'em':
    case 'underline':
    case 'spoiler':
      return { type: node.type, children: children() };
    case 'strikethrough':
      return { type: 'strike', children: children() };
    case 'inlineCode':
      return { type: 'inlineCode', code: str(content) };
    case 'codeBlock':
      return { type: 'codeBlock', lang: str(node.lang).toLowerCase(), code: str(content) };
    case 'blockQuote': {
      const inner = children();
      if (inner[inner.length - 1]?.type === 'br') inner.pop();
      return { type: 'quote', children: inner };
    }
    case 'heading': {
      const level: unknown = node.level;
      return { type: 'heading', level: level === 1 || level === 2 ? level : 3, children: children() };
    }
    case 'list': {
      const items: unknown = node.items;
      const start: unknown = node.start;
      return {
        type: 'list',
        ordered: node.ordered === true,
        start: typeof start === 'number' && Number.isSafeInteger(start) ? start : 1,
        items: Array.isArray(items) ? items.map((item: unknown) => toNodes(looseList(item))) : [],
      };
    }
    case 'url':
      return { type: 'link', text: str(node.text), href: str(node.href) };
    case 'mention':
      return { type: 'mention', text: str(node.text), username: str(node.username) };
    default:
      // A rule we did not choose cannot produce nodes; anything else would be a library change.
      return typeof content === 'string' ? { type: 'text', text: content } : undefined;
  }
}
