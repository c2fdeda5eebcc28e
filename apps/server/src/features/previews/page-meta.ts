import { decodeBuffer } from 'encoding-sniffer';
import { Parser } from 'htmlparser2';

/** What a page says about itself in its head: OpenGraph, Twitter card and `<title>`. */
export interface PageMeta {
  title?: string;
  description?: string;
  siteName?: string;
  /** Absolute http(s) URLs, resolved against the page's. */
  image?: { url: string; width?: number; height?: number };
  video?: { url: string; width?: number; height?: number };
}

export const MAX_TITLE = 256;
export const MAX_DESCRIPTION = 350;
export const MAX_SITE_NAME = 100;
const MAX_URL = 2048;

/**
 * The head's meta tags of an HTML page (at most the bytes given: the fetch cuts at 1 MB), decoded
 * as the WHATWG sniffing algorithm says (BOM, Content-Type charset, `<meta charset>`, else
 * windows-1252). Parsing stops at `</head>` or the first `<body>`: nothing of the body is read.
 */
export function pageMeta(html: Buffer, pageUrl: URL, charset: string | undefined): PageMeta {
  const text = decodeBuffer(html, charset === undefined ? {} : { transportLayerEncodingLabel: charset });
  const tags = new Map<string, string>();
  let title = '';
  let inTitle = false;
  let done = false;
  const parser = new Parser(
    {
      onopentag(name, attrs) {
        if (done) return;
        if (name === 'body') {
          done = true;
          parser.pause();
          return;
        }
        if (name === 'title') inTitle = true;
        if (name !== 'meta') return;
        const key = (attrs.property ?? attrs.name ?? '').trim().toLowerCase();
        const content = attrs.content;
        // The first of a key wins (og:image may repeat; the first is the page's main one).
        if (key && content !== undefined && !tags.has(key)) tags.set(key, content);
      },
      ontext(data) {
        if (inTitle && !done) title += data;
      },
      onclosetag(name) {
        if (name === 'title') inTitle = false;
        if (name === 'head') {
          done = true;
          parser.pause();
        }
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.write(text);
  parser.end();

  const first = (...keys: string[]) => {
    for (const key of keys) {
      const value = clean(tags.get(key));
      if (value) return value;
    }
    return undefined;
  };
  const meta: PageMeta = {};
  const pageTitle = cap(first('og:title', 'twitter:title') ?? clean(title), MAX_TITLE);
  if (pageTitle) meta.title = pageTitle;
  const description = cap(first('og:description', 'twitter:description', 'description'), MAX_DESCRIPTION);
  if (description) meta.description = description;
  const siteName = cap(first('og:site_name', 'application-name'), MAX_SITE_NAME);
  if (siteName) meta.siteName = siteName;
  const image = absolute(
    first('og:image:secure_url', 'og:image', 'og:image:url', 'twitter:image', 'twitter:image:src'),
    pageUrl,
  );
  if (image) meta.image = { url: image, ...size(first('og:image:width'), first('og:image:height')) };
  const videoType = first('og:video:type');
  // og:video is often a player page (text/html), which is no video to play here.
  if (videoType === undefined || videoType.toLowerCase().startsWith('video/')) {
    const video = absolute(first('og:video:secure_url', 'og:video:url', 'og:video'), pageUrl);
    if (video) meta.video = { url: video, ...size(first('og:video:width'), first('og:video:height')) };
  }
  return meta;
}

/** Whitespace runs as one space, control characters gone, trimmed. */
function clean(value: string | undefined): string | undefined {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point.
  const text = value?.replace(/[\u0000-\u001f\u007f\s]+/g, ' ').trim();
  return text ? text : undefined;
}

/** At most `max` characters (by code point), with an ellipsis when cut. */
function cap(value: string | undefined, max: number): string | undefined {
  if (value === undefined) return undefined;
  const chars = [...value];
  return chars.length <= max ? value : `${chars.slice(0, max - 1).join('')}…`;
}

function absolute(value: string | undefined, base: URL): string | undefined {
  if (value === undefined) return undefined;
  try {
    const url = new URL(value, base);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    return url.href.length <= MAX_URL ? url.href : undefined;
  } catch {
    return undefined;
  }
}

function size(width: string | undefined, height: string | undefined): { width?: number; height?: number } {
  const w = Number(width);
  const h = Number(height);
  const ok = (n: number) => Number.isInteger(n) && n > 0 && n <= 16_384;
  return ok(w) && ok(h) ? { width: w, height: h } : {};
}
