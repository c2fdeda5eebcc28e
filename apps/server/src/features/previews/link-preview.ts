import { type LinkEmbed, youtubeId } from '@decentra/protocol';
import * as z from 'zod';
import { FetchRefusedError, type SafeFetcher } from '../../infra/safe-fetch.js';
import type { MediaSigner } from './media-signer.js';
import { type SniffedMedia, sniffMedia } from './media-type.js';
import { MAX_TITLE, pageMeta } from './page-meta.js';

/** Where YouTube's titles and thumbnails come from (tests stand in for YouTube on loopback). */
export interface YoutubeSources {
  /** The oEmbed endpoint (`?format=json&url=…`). */
  oembedUrl: string;
  /** Thumbnails are `<base>/vi/<id>/hqdefault.jpg`. */
  thumbnailBase: string;
}

export const YOUTUBE: YoutubeSources = {
  oembedUrl: 'https://www.youtube.com/oembed',
  thumbnailBase: 'https://i.ytimg.com',
};

/** A page is read up to here: its head is in the first bytes, and the rest is not ours to hold. */
export const PAGE_BYTES = 1024 * 1024;
const OEMBED_BYTES = 64 * 1024;
const IMAGE_EXT = /\.(?:jpe?g|png|gif|webp|avif)$/i;
const VIDEO_EXT = /\.(?:mp4|m4v|webm|ogv)$/i;

const OembedSchema = z.object({ title: z.string().optional(), author_name: z.string().optional() });

export interface PreviewDeps {
  fetcher: SafeFetcher;
  signer: MediaSigner;
  youtube: YoutubeSources;
  /** Aborted at shutdown: fetches in flight end at once. */
  signal?: AbortSignal | undefined;
  /** Keeps a picture or video fetched whole for its preview in the media cache (its first reader's fetch). */
  keep?: ((url: string, media: SniffedMedia, body: Buffer) => Promise<void>) | undefined;
}

/**
 * What to show for one link, fetched by the server: a YouTube video (its title by oEmbed, its
 * thumbnail through the proxy), a picture or video linked directly (by the answer's type, or its
 * extension when the type says nothing), or a page's OpenGraph/Twitter card. null when there is
 * nothing to show, or the link may not or cannot be fetched (private address, timeout, too big).
 * Pictures and videos in the embed are paths to our media proxy, never the remote URLs.
 */
export async function previewOf(url: URL, deps: PreviewDeps): Promise<LinkEmbed | null> {
  if (url.username || url.password) return null;
  const id = youtubeId(url);
  if (id) return youtubePreview(url, id, deps);
  const { fetcher, signer, signal } = deps;
  try {
    const res = await fetcher.fetch(url, {
      ...(signal ? { signal } : {}),
      accept: 'text/html,application/xhtml+xml;q=0.9,image/*;q=0.8,video/*;q=0.8,*/*;q=0.5',
      maxBytes: PAGE_BYTES,
      overflow: 'truncate',
    });
    if (res.status !== 200) return null;
    const type = res.mediaType ?? '';
    const generic = type === '' || type === 'application/octet-stream';
    if (type.startsWith('image/') || type.startsWith('video/') || generic) {
      const sniffed = sniffMedia(res.body);
      const byExtension = IMAGE_EXT.test(url.pathname)
        ? 'image'
        : VIDEO_EXT.test(url.pathname)
          ? 'video'
          : undefined;
      const kind = sniffed?.kind ?? (generic ? byExtension : type.startsWith('video/') ? 'video' : undefined);
      if (!kind) return null;
      if (sniffed && !res.truncated) await deps.keep?.(url.href, sniffed, res.body);
      const size = sniffed?.width === undefined ? {} : { width: sniffed.width, height: sniffed.height };
      const media = { url: signer.path(url.href), ...size };
      return kind === 'image' ? { url: url.href, kind, image: media } : { url: url.href, kind, video: media };
    }
    if (type !== 'text/html' && type !== 'application/xhtml+xml') return null;
    const meta = pageMeta(res.body, res.url, res.charset);
    if (!meta.title && !meta.description && !meta.image) return null;
    return {
      url: url.href,
      kind: 'link',
      ...(meta.title ? { title: meta.title } : {}),
      ...(meta.description ? { description: meta.description } : {}),
      ...(meta.siteName ? { siteName: meta.siteName } : {}),
      ...(meta.image ? { image: { ...meta.image, url: signer.path(meta.image.url) } } : {}),
      ...(meta.video ? { video: { ...meta.video, url: signer.path(meta.video.url) } } : {}),
    };
  } catch (err) {
    if (err instanceof FetchRefusedError) return null;
    throw err;
  }
}

async function youtubePreview(url: URL, id: string, deps: PreviewDeps): Promise<LinkEmbed> {
  const { fetcher, signer, youtube, signal } = deps;
  const watch = `https://www.youtube.com/watch?v=${id}`;
  let title: string | undefined;
  let author: string | undefined;
  try {
    const res = await fetcher.fetch(
      `${youtube.oembedUrl}?${new URLSearchParams({ format: 'json', url: watch })}`,
      {
        ...(signal ? { signal } : {}),
        accept: 'application/json',
        maxBytes: OEMBED_BYTES,
        overflow: 'refuse',
      },
    );
    const parsed =
      res.status === 200 ? OembedSchema.safeParse(JSON.parse(res.body.toString('utf8'))) : undefined;
    if (parsed?.success) {
      title = parsed.data.title?.trim().slice(0, MAX_TITLE) || undefined;
      author = parsed.data.author_name?.trim().slice(0, 100) || undefined;
    }
  } catch (err) {
    // No title (a private video, YouTube unreachable, bad JSON): the player still works.
    if (!(err instanceof FetchRefusedError) && !(err instanceof SyntaxError)) throw err;
  }
  return {
    url: url.href,
    kind: 'youtube',
    youtubeId: id,
    siteName: 'YouTube',
    ...(title ? { title } : {}),
    ...(author ? { description: author } : {}),
    image: { url: signer.path(`${youtube.thumbnailBase}/vi/${id}/hqdefault.jpg`), width: 480, height: 360 },
  };
}
