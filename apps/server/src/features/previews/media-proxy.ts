import { DomainError, forbidden, invalidInput, notFound } from '../../infra/errors.js';
import { FetchRefusedError, type SafeFetcher } from '../../infra/safe-fetch.js';
import { type CachedMedia, MediaCache } from './media-cache.js';
import type { MediaSigner } from './media-signer.js';
import { sniffMedia } from './media-type.js';

export interface MediaProxyLimits {
  /** A picture larger than this is refused. */
  imageBytes: number;
  /** A video larger than this is refused (it is kept whole, then served with Range from disk). */
  videoBytes: number;
  /** Remote fetches at once; past `queued` waiting, a miss is answered 503. */
  concurrency: number;
  queued: number;
}

export const DEFAULT_MEDIA_LIMITS: MediaProxyLimits = {
  imageBytes: 10 * 1024 * 1024,
  videoBytes: 50 * 1024 * 1024,
  concurrency: 4,
  queued: 100,
};

/** What may be a picture or video by its header; the bytes decide (a missing or generic type is common). */
const generic = (type: string | undefined) => type === undefined || type === 'application/octet-stream';
const wanted = (type: string | undefined) =>
  generic(type) ||
  (type !== 'image/svg+xml' && (type?.startsWith('image/') === true || type?.startsWith('video/') === true));

/**
 * Pictures and videos of other hosts, fetched by this server for its readers: only URLs it signed,
 * only through the SSRF guard, only raster images and MP4/WebM/Ogg videos as the bytes show them,
 * within the size caps; kept in the disk cache, one fetch per URL at a time.
 */
export class MediaProxy {
  private readonly limits: MediaProxyLimits;
  private readonly inFlight = new Map<string, Promise<CachedMedia>>();
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    private readonly deps: {
      signer: MediaSigner;
      fetcher: SafeFetcher;
      cache: MediaCache;
      limits?: Partial<MediaProxyLimits> | undefined;
    },
  ) {
    this.limits = { ...DEFAULT_MEDIA_LIMITS, ...deps.limits };
  }

  async get(url: string, sig: string): Promise<CachedMedia> {
    if (!this.deps.signer.verify(url, sig)) throw forbidden('This media link is not signed by this server.');
    const key = MediaCache.keyOf(url);
    const cached = this.deps.cache.get(key);
    if (cached) return cached;
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = this.fetchOnce(url, key).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    return pending;
  }

  file(media: CachedMedia): string {
    return this.deps.cache.file(media.key);
  }

  private async fetchOnce(url: string, key: string): Promise<CachedMedia> {
    await this.slot();
    try {
      const { imageBytes, videoBytes } = this.limits;
      const res = await this.deps.fetcher.fetch(url, {
        accept: 'image/avif,image/webp,image/png,image/jpeg,image/gif,video/*;q=0.8',
        acceptType: wanted,
        maxBytes: (type) => (type?.startsWith('image/') ? imageBytes : videoBytes),
        overflow: 'refuse',
      });
      if (res.status !== 200) throw notFound(`The linked host answered ${res.status}.`);
      const sniffed = sniffMedia(res.body);
      if (!sniffed) throw invalidInput('That link is not a picture or a video.');
      const entry: CachedMedia = {
        key,
        type: sniffed.type,
        size: res.body.length,
        ...(sniffed.width === undefined ? {} : { width: sniffed.width, height: sniffed.height }),
      };
      await this.deps.cache.put(entry, res.body);
      return entry;
    } catch (err) {
      throw asDomainError(err);
    } finally {
      this.release();
    }
  }

  private slot(): Promise<void> {
    if (this.running < this.limits.concurrency) {
      this.running++;
      return Promise.resolve();
    }
    if (this.waiting.length >= this.limits.queued)
      return Promise.reject(
        new DomainError('unavailable', 'Too many pictures are being fetched; try again.'),
      );
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }
}

function asDomainError(err: unknown): unknown {
  if (!(err instanceof FetchRefusedError)) return err;
  switch (err.reason) {
    case 'too_large':
      return new DomainError('payload_too_large', 'That picture or video is too large to show.');
    case 'unwanted_type':
      return invalidInput('That link is not a picture or a video.');
    default:
      return notFound('That picture or video could not be fetched.');
  }
}
