/**
 * Turns message text into pieces to render as text (never as HTML): plain text, http(s) links,
 * @mentions, and embeds for image, video and YouTube links. Only http: and https: URLs ever
 * become links or embeds; everything else (javascript:, data:, markup) stays plain text.
 */

export type Segment =
  | { kind: 'text'; text: string }
  | { kind: 'link'; text: string; href: string }
  | { kind: 'mention'; text: string; username: string };

export type Embed =
  | { kind: 'image'; url: string }
  | { kind: 'video'; url: string }
  | { kind: 'youtube'; url: string; videoId: string; embedUrl: string };

export interface ParsedMessage {
  segments: Segment[];
  embeds: Embed[];
}

/** At most this many embeds under one message. */
export const MAX_EMBEDS = 5;

const IMAGE_EXT = /\.(?:jpe?g|png|gif|webp|svg)$/i;
const VIDEO_EXT = /\.(?:mp4|webm|ogg)$/i;
const YOUTUBE_ID = /^[A-Za-z0-9_-]{11}$/;
const YOUTUBE_HOSTS = new Set(['youtube.com', 'www.youtube.com', 'm.youtube.com', 'music.youtube.com']);

/** A URL runs until whitespace, or a character that cannot be part of one unescaped. */
const TOKEN = /\bhttps?:\/\/[^\s<>"'`{}|\\^]+|(?<![A-Za-z0-9_.-])@[A-Za-z0-9_.-]{2,32}/gi;
const TRAILING_CHARS = new Set([...'.,;:!?\'"*_~']);

export function parseMessage(content: string): ParsedMessage {
  const segments: Segment[] = [];
  const embeds: Embed[] = [];
  const seen = new Set<string>();
  let last = 0;
  const pushText = (text: string) => {
    if (!text) return;
    const prev = segments[segments.length - 1];
    if (prev?.kind === 'text') prev.text += text;
    else segments.push({ kind: 'text', text });
  };
  for (const match of content.matchAll(TOKEN)) {
    const start = match.index;
    let token = match[0];
    if (token.startsWith('@')) {
      pushText(content.slice(last, start));
      // A trailing dot is punctuation, not part of the name ("thanks @ann.").
      const name = token.replace(/\.+$/, '');
      segments.push({ kind: 'mention', text: name, username: name.slice(1) });
      last = start + name.length;
      continue;
    }
    token = trimUrl(token);
    const url = toHttpUrl(token);
    if (!url) continue;
    pushText(content.slice(last, start));
    segments.push({ kind: 'link', text: token, href: url.href });
    last = start + token.length;
    const embed = embedFor(url);
    if (embed && embeds.length < MAX_EMBEDS && !seen.has(embed.url)) {
      seen.add(embed.url);
      embeds.push(embed);
    }
  }
  pushText(content.slice(last));
  return { segments, embeds };
}

/** Drops punctuation that ends a sentence, and a closing bracket that does not close one in the URL. */
function trimUrl(raw: string): string {
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

export function embedFor(url: URL): Embed | undefined {
  const videoId = youtubeId(url);
  if (videoId) {
    return {
      kind: 'youtube',
      url: url.href,
      videoId,
      embedUrl: `https://www.youtube-nocookie.com/embed/${videoId}`,
    };
  }
  if (url.username || url.password) return undefined;
  // Media over plain http would be blocked by the page's own CSP (img-src/media-src allow https:
  // only) and show as a broken box: such a link stays a link.
  if (url.protocol !== 'https:') return undefined;
  if (IMAGE_EXT.test(url.pathname)) return { kind: 'image', url: url.href };
  if (VIDEO_EXT.test(url.pathname)) return { kind: 'video', url: url.href };
  return undefined;
}

/** youtube.com/watch?v=ID, youtu.be/ID, youtube.com/shorts/ID (and /embed/ID); the 11-character id. */
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
