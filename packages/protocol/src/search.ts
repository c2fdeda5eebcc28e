import * as z from 'zod';
import { IdSchema } from './common.js';
import { MessageSchema } from './messages.js';
import { ChannelTypeSchema } from './servers.js';

/**
 * Message search, one grammar for the server (which runs it) and the web app (which highlights and
 * documents it): free words, "quoted phrases" and -excluded words, plus filters
 * `from:username`, `in:channel-name`, `has:link`, `has:image`, `before:YYYY-MM-DD`, `after:YYYY-MM-DD`.
 * A word that only looks like a filter (`https://…`, `note:x`) is text.
 */
export const MAX_SEARCH_QUERY = 500;
export const MAX_SEARCH_PAGE = 50;
export const DEFAULT_SEARCH_PAGE = 25;

export const SEARCH_FILTERS = ['from', 'in', 'has', 'before', 'after'] as const;
export type SearchFilter = (typeof SEARCH_FILTERS)[number];
export const SEARCH_HAS = ['link', 'image'] as const;
export type SearchHas = (typeof SEARCH_HAS)[number];

/** What each filter does, in words (the web app's help popover shows these). */
export const SEARCH_FILTER_HELP: Record<SearchFilter, { example: string; text: string }> = {
  from: { example: 'from:ann', text: 'written by this user' },
  in: { example: 'in:general', text: 'in this channel (server search only)' },
  has: { example: 'has:link  has:image', text: 'holding a link, or an image link' },
  before: { example: 'before:2026-01-31', text: 'sent before this day (UTC)' },
  after: { example: 'after:2026-01-01', text: 'sent after this day (UTC)' },
};

export interface ParsedSearch {
  /** The free text (words, "phrases", -words), as PostgreSQL's websearch_to_tsquery reads it. */
  text: string;
  from?: string;
  in?: string;
  has: SearchHas[];
  /** Start of the day named by before: (UTC), ISO. */
  before?: string;
  /** End of the day named by after: (UTC), ISO: after:2026-01-01 starts at 2026-01-02T00:00Z. */
  after?: string;
}

export type SearchParse = { ok: true; search: ParsedSearch } | { ok: false; error: string };

const TOKEN = /"[^"]*"?|\S+/g;
const FILTER = /^([a-z]+):(.*)$/i;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

/** The start of a UTC day written YYYY-MM-DD, or undefined for anything else (2026-02-30 too). */
function dayStart(value: string): number | undefined {
  const m = DAY.exec(value);
  if (!m) return undefined;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return new Date(ms).toISOString().slice(0, 10) === value ? ms : undefined;
}

function isFilter(key: string): key is SearchFilter {
  return (SEARCH_FILTERS as readonly string[]).includes(key);
}

export function parseSearchQuery(q: string): SearchParse {
  const words: string[] = [];
  const search: ParsedSearch = { text: '', has: [] };
  for (const [token] of q.matchAll(TOKEN)) {
    const m = FILTER.exec(token);
    const key = m?.[1]?.toLowerCase();
    if (!m || key === undefined || !isFilter(key)) {
      words.push(token);
      continue;
    }
    const value = m[2] ?? '';
    if (value === '')
      return { ok: false, error: `${key}: needs a value, e.g. ${SEARCH_FILTER_HELP[key].example}` };
    switch (key) {
      case 'from':
      case 'in': {
        if (search[key] !== undefined) return { ok: false, error: `Only one ${key}: filter at a time.` };
        search[key] = value.replace(key === 'from' ? /^@/ : /^#/, '');
        break;
      }
      case 'has': {
        const has = value.toLowerCase();
        if (has !== 'link' && has !== 'image') return { ok: false, error: 'has: takes link or image.' };
        if (!search.has.includes(has)) search.has.push(has);
        break;
      }
      case 'before':
      case 'after': {
        const start = dayStart(value);
        if (start === undefined) return { ok: false, error: `${key}: takes a date as YYYY-MM-DD.` };
        if (search[key] !== undefined) return { ok: false, error: `Only one ${key}: filter at a time.` };
        search[key] = new Date(key === 'before' ? start : start + DAY_MS).toISOString();
        break;
      }
    }
  }
  search.text = words.join(' ');
  if (search.before !== undefined && search.after !== undefined && search.after >= search.before) {
    return { ok: false, error: 'after: must be an earlier day than before:.' };
  }
  const filtered = search.from ?? search.in ?? search.before ?? search.after ?? search.has[0];
  if (searchTerms(search.text).length === 0 && filtered === undefined) {
    return { ok: false, error: 'Type a word to search for, or a filter.' };
  }
  return { ok: true, search };
}

/**
 * The words a result should show highlighted: the free text's words and phrases, lowercased,
 * without the excluded ones and without the `or` operator. Split like the 'simple' configuration
 * splits (on anything that is not a letter or digit), so what is marked is what matched.
 */
export function searchTerms(text: string): string[] {
  const terms = new Set<string>();
  for (const [token] of text.matchAll(TOKEN)) {
    if (token.startsWith('-') || token.toLowerCase() === 'or') continue;
    for (const word of token.toLowerCase().split(/[^\p{L}\p{N}]+/u)) if (word) terms.add(word);
  }
  return [...terms];
}

export const SearchQuerySchema = z.strictObject({
  q: z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(MAX_SEARCH_QUERY, `must be at most ${MAX_SEARCH_QUERY} characters`)
    .superRefine((q, ctx) => {
      const parsed = parseSearchQuery(q);
      if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.error });
    }),
  /** The id of the last result of the page before: the next page holds older matches. */
  cursor: IdSchema.optional(),
  limit: z.coerce.number<number>().int().min(1).max(MAX_SEARCH_PAGE).default(DEFAULT_SEARCH_PAGE),
});
export type SearchQuery = z.infer<typeof SearchQuerySchema>;

export const SearchResultSchema = z
  .object({
    message: MessageSchema,
    channel: z.object({
      id: IdSchema,
      serverId: IdSchema.nullable(),
      type: ChannelTypeSchema,
      name: z.string(),
    }),
  })
  .meta({ id: 'SearchResult' });
export type SearchResult = z.infer<typeof SearchResultSchema>;

export const SearchResultsSchema = z
  .object({
    /** Newest first. */
    results: z.array(SearchResultSchema),
    /** The cursor of the next page (older matches), or null on the last page. */
    next: IdSchema.nullable(),
  })
  .meta({ id: 'SearchResults' });
export type SearchResults = z.infer<typeof SearchResultsSchema>;
