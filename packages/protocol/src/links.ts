/**
 * The links of a message, cut the same way by the web app (which renders them as links) and by
 * the server (which previews them): http(s) only, sentence punctuation and unbalanced closing
 * brackets dropped, links inside `code` left out.
 */

/** A URL runs until whitespace, or a character that cannot be part of one unescaped. */
export const URL_PATTERN = /\bhttps?:\/\/[^\s<>"'`{}|\\^]+/;
const URL_TOKEN = new RegExp(URL_PATTERN.source, 'gi');
const TRAILING_CHARS = new Set([...'.,;:!?\'"*_~']);
/** Fenced blocks and inline code spans: their text is never a link. */
const CODE = /```[\s\S]*?```|`[^`\n]+`/g;

/** Drops punctuation that ends a sentence, and a closing bracket that does not close one in the URL. */
export function trimUrl(raw: string): string {
  let open = 0;
  let close = 0;
  let openSq = 0;
  let closeSq = 0;
  for (const c of raw) {
    if (c === '(') open++;
    else if (c === ')') close++;
    else if (c === '[') openSq++;
    else if (c === ']') closeSq++;
  }
  let end = raw.length;
  while (end > 0) {
    const c = raw.charAt(end - 1);
    if (TRAILING_CHARS.has(c)) end--;
    else if (c === ')' && open < close) {
      close--;
      end--;
    } else if (c === ']' && openSq < closeSq) {
      closeSq--;
      end--;
    } else break;
  }
  return raw.slice(0, end);
}

/** The parsed URL when it is a well-formed http(s) URL with a host; undefined otherwise. */
export function toHttpUrl(text: string): URL | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (!url.hostname) return undefined;
  return url;
}

/** The http(s) links of a message outside code, in order, each once (by normalised href). */
export function linksIn(content: string): URL[] {
  const seen = new Set<string>();
  const out: URL[] = [];
  for (const match of content.replace(CODE, ' ').matchAll(URL_TOKEN)) {
    const url = toHttpUrl(trimUrl(match[0]));
    if (!url || seen.has(url.href)) continue;
    seen.add(url.href);
    out.push(url);
  }
  return out;
}

const YOUTUBE_ID = /^[A-Za-z0-9_-]{11}$/;
const YOUTUBE_HOSTS = new Set(['youtube.com', 'www.youtube.com', 'm.youtube.com', 'music.youtube.com']);

/** youtube.com/watch?v=ID, youtu.be/ID, youtube.com/shorts/ID (and /embed/ID, /live/ID); the 11-character id. */
export function youtubeId(url: URL): string | undefined {
  const host = url.hostname.toLowerCase();
  let id: string | null | undefined;
  if (host === 'youtu.be') id = url.pathname.split('/')[1];
  else if (YOUTUBE_HOSTS.has(host)) {
    const parts = url.pathname.split('/');
    if (url.pathname === '/watch') id = url.searchParams.get('v');
    else if (parts[1] === 'shorts' || parts[1] === 'embed' || parts[1] === 'live') id = parts[2];
  }
  return id && YOUTUBE_ID.test(id) ? id : undefined;
}
