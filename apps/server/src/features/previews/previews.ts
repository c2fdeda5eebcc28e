import { join } from 'node:path';
import { linksIn, type Message } from '@decentra/protocol';
import type { RouteHandlers } from '../../http/api.js';
import type { Logger } from '../../infra/logger.js';
import { DEFAULT_FETCH_TIMEOUT_MS, SafeFetcher } from '../../infra/safe-fetch.js';
import type { PrivateAllowance } from '../../infra/safe-lookup.js';
import type { Commands } from '../../kernel/commands.js';
import { type Audience, serverScope, toUsers } from '../../kernel/events.js';
import { outcome } from '../../kernel/outcome.js';
import type { Db } from '../../storage/db.js';
import type { MessagesService } from '../messages/messages.service.js';
import { previewOf, YOUTUBE, type YoutubeSources } from './link-preview.js';
import { MediaCache } from './media-cache.js';
import { MediaProxy, type MediaProxyLimits } from './media-proxy.js';
import { mediaProxyRoutes } from './media-proxy.routes.js';
import { MediaSigner } from './media-signer.js';
import type { SniffedMedia } from './media-type.js';
import { type PreviewLimits, PreviewQueue } from './preview-queue.js';

export interface PreviewOptions {
  youtube?: Partial<YoutubeSources> | undefined;
  limits?: Partial<PreviewLimits> | undefined;
  media?: Partial<MediaProxyLimits> | undefined;
  /** The disk cache's total size (default 1 GiB). */
  mediaCacheBytes?: number | undefined;
  /** One fetch's deadline, redirects included (default 5 s). */
  timeoutMs?: number | undefined;
  /** Instead of DECENTRA_ALLOW_PRIVATE_FETCH: only these private addresses (tests play a public site on one). */
  allowPrivate?: PrivateAllowance | undefined;
}

export interface PreviewDeps {
  db: Db;
  commands: Commands;
  messages: MessagesService;
  encryptionKey: Buffer;
  dataDir: string;
  /** DECENTRA_ALLOW_PRIVATE_FETCH. */
  allowPrivateFetch: boolean;
  log: Logger;
  now: () => number;
  options?: PreviewOptions | undefined;
}

/**
 * Link previews and the media proxy: after a message is sent (or edited to other links) the server
 * fetches what its links show and adds it to the message with `message_update`; pictures and
 * videos of embeds load from this server (signed `/api/media/proxy` URLs), so readers' browsers
 * never contact the linked hosts.
 */
export function registerPreviews(deps: PreviewDeps): {
  routes: RouteHandlers<'mediaProxy'>;
  signer: MediaSigner;
  close(): Promise<void>;
} {
  const { db, commands, messages, log, options } = deps;
  const signer = new MediaSigner(deps.encryptionKey);
  const fetcher = new SafeFetcher({
    allowPrivate: options?.allowPrivate ?? deps.allowPrivateFetch,
    timeoutMs: options?.timeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS,
    maxRedirects: 5,
    userAgent: 'Mozilla/5.0 (compatible; DecentraBot/1.0; link previews)',
  });
  const youtube = { ...YOUTUBE, ...options?.youtube };
  const stop = new AbortController();
  const cache = new MediaCache(join(deps.dataDir, 'media-cache'), options?.mediaCacheBytes ?? 1024 ** 3, log);
  const proxy = new MediaProxy({ signer, fetcher, cache, limits: options?.media });
  const keep = (url: string, media: SniffedMedia, body: Buffer) =>
    cache.put(
      {
        key: MediaCache.keyOf(url),
        type: media.type,
        size: body.length,
        ...(media.width === undefined ? {} : { width: media.width, height: media.height }),
      },
      body,
    );
  const queue = new PreviewQueue({
    db,
    preview: (url) => previewOf(url, { fetcher, signer, youtube, signal: stop.signal, keep }),
    deliver: (job, embeds) =>
      commands.transaction((tx) =>
        messages.setEmbeds(tx, job.channelId, job.messageId, job.content, embeds, job.audience),
      ),
    log: log.child({ feature: 'previews' }),
    now: deps.now,
    limits: options?.limits,
  });
  const enqueue = (message: Message, audience: Audience) =>
    queue.enqueue({
      channelId: BigInt(message.channelId),
      messageId: BigInt(message.id),
      content: message.content,
      links: linksIn(message.content),
      audience,
    });
  // Follow-ups: queued once the send or edit has committed and its own event is out, so a
  // preview's `message_update` always comes after it.
  messages.onCreated.add(({ message, serverId, dmEnds }) => {
    if (linksIn(message.content).length === 0) return outcome(undefined);
    const audience = serverId === null ? toUsers(...(dmEnds ?? [])) : serverScope(serverId);
    return outcome(undefined, [], [() => outcome(enqueue(message, audience))]);
  });
  messages.onEdited.add(({ message, audience }) => {
    const have = new Set((message.embeds ?? []).map((e) => e.url));
    // Only links without a preview yet are worth a fetch (removed ones were dropped by the edit).
    if (linksIn(message.content).every((url) => have.has(url.href))) return outcome(undefined);
    return outcome(undefined, [], [() => outcome(enqueue(message, audience))]);
  });
  return {
    routes: mediaProxyRoutes({ proxy }),
    signer,
    async close() {
      const closed = queue.close();
      stop.abort();
      await closed;
      fetcher.close();
    },
  };
}
