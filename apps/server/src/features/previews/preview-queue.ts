import { type LinkEmbed, MAX_EMBEDS_PER_MESSAGE } from '@decentra/protocol';
import type { Logger } from '../../infra/logger.js';
import type { Audience } from '../../kernel/events.js';
import type { Db } from '../../storage/db.js';
import { cachedPreview, storePreview } from './previews.repo.js';

export interface PreviewLimits {
  /** Messages whose links are being fetched at once (each fetches up to MAX_EMBEDS_PER_MESSAGE links at once). */
  concurrency: number;
  /** Messages waiting; past it a new message gets no previews (one log line per episode). */
  queued: number;
  /** A cached preview older than this is fetched again. */
  maxAgeMs: number;
}

export const DEFAULT_PREVIEW_LIMITS: PreviewLimits = {
  concurrency: 4,
  queued: 500,
  maxAgeMs: 24 * 60 * 60 * 1000,
};

/** One message whose links want previews. */
export interface PreviewJob {
  channelId: bigint;
  messageId: bigint;
  /** The text the previews are for: an edit since then makes them moot. */
  content: string;
  links: URL[];
  audience: Audience;
}

export interface PreviewQueueDeps {
  db: Db;
  /** Fetches one link's preview (link-preview.ts). */
  preview(url: URL): Promise<LinkEmbed | null>;
  /** Stores a message's previews and tells its readers (through the command runner). */
  deliver(job: PreviewJob, embeds: LinkEmbed[]): Promise<void>;
  log: Logger;
  now: () => number;
  limits?: Partial<PreviewLimits> | undefined;
}

/**
 * Link previews off the send path: `enqueue` only queues (after the message's commit and its
 * `message_create`), a bounded number of messages are worked on at once, each URL is fetched once
 * at a time however many messages carry it, and a URL fetched within `maxAgeMs` is answered from
 * the cache table.
 */
export class PreviewQueue {
  private readonly limits: PreviewLimits;
  private readonly waiting: PreviewJob[] = [];
  private readonly running = new Set<Promise<void>>();
  private readonly fetching = new Map<string, Promise<LinkEmbed | null>>();
  private dropped = 0;
  private closed = false;

  constructor(private readonly deps: PreviewQueueDeps) {
    this.limits = { ...DEFAULT_PREVIEW_LIMITS, ...deps.limits };
  }

  enqueue(job: PreviewJob): void {
    if (this.closed || job.links.length === 0) return;
    if (this.waiting.length >= this.limits.queued) {
      if (this.dropped++ === 0)
        this.deps.log.warn(
          { queued: this.waiting.length },
          'link preview queue full: new links get no preview',
        );
      return;
    }
    this.waiting.push(job);
    this.startMore();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.waiting.length = 0;
    await Promise.allSettled([...this.running]);
  }

  private startMore(): void {
    while (!this.closed && this.running.size < this.limits.concurrency) {
      const job = this.waiting.shift();
      if (!job) {
        if (this.dropped > 0) {
          this.deps.log.warn({ dropped: this.dropped }, 'link preview queue drained');
          this.dropped = 0;
        }
        return;
      }
      const run: Promise<void> = this.run(job)
        .catch((err: unknown) =>
          this.deps.log.error({ err, messageId: job.messageId.toString() }, 'link previews failed'),
        )
        .finally(() => {
          this.running.delete(run);
          this.startMore();
        });
      this.running.add(run);
    }
  }

  private async run(job: PreviewJob): Promise<void> {
    const links = job.links.slice(0, MAX_EMBEDS_PER_MESSAGE);
    const found = await Promise.all(
      links.map((url) =>
        this.previewFor(url).catch((err: unknown) => {
          // Not a refusal (those are null, and cached) but a fault: not cached, tried again next time.
          this.deps.log.warn({ err, url: url.href }, 'could not make a link preview');
          return null;
        }),
      ),
    );
    if (this.closed) return;
    const embeds = found.filter((e): e is LinkEmbed => e !== null);
    await this.deps.deliver(job, embeds);
  }

  private previewFor(url: URL): Promise<LinkEmbed | null> {
    const key = url.href;
    let pending = this.fetching.get(key);
    if (!pending) {
      pending = this.cachedOrFetched(url).finally(() => this.fetching.delete(key));
      this.fetching.set(key, pending);
    }
    return pending;
  }

  private async cachedOrFetched(url: URL): Promise<LinkEmbed | null> {
    const { db, now } = this.deps;
    const cached = await cachedPreview(db, url.href);
    if (cached && now() - cached.fetchedAt.getTime() < this.limits.maxAgeMs) return cached.embed;
    const embed = await this.deps.preview(url);
    // A fetch cut short by shutdown found nothing worth remembering.
    if (this.closed) return null;
    await storePreview(db, url.href, embed, new Date(now()));
    return embed;
  }
}
