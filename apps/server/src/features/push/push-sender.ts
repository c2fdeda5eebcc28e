import { type Agent, request } from 'node:https';
import { isIP } from 'node:net';
import {
  type NotificationOverride,
  notificationBody,
  notifyDecision,
  type PushPayload,
  type UserSettings,
} from '@decentra/protocol';
import webPush from 'web-push';
import { deadline } from '../../infra/deadline.js';
import type { Logger } from '../../infra/logger.js';
import { assertPublicHost, hostOf, PrivateAddressError } from '../../infra/safe-lookup.js';
import type { Db } from '../../storage/db.js';
import type { MessageCreated } from '../messages/messages.service.js';
import {
  channelPlace,
  deleteSubscription,
  type PushSubscriptionRow,
  subscriptionsOfMembers,
  subscriptionsOfUsers,
} from './push.repo.js';
import type { VapidKeyStore } from './vapid-keys.js';

export interface PushLimits {
  /** Pushes in flight at once (over all push services). */
  concurrency: number;
  /** Messages waiting to be looked at; past it a new one is dropped (one log line per episode). */
  queuedMessages: number;
  /** Pushes waiting to be sent; while it is full no further message is looked at. */
  queuedDeliveries: number;
  /** One push's whole exchange with the push service, connection included. */
  timeoutMs: number;
  /** How long the push service keeps a push for a browser that is offline (the TTL header). */
  ttlSeconds: number;
}

export const DEFAULT_PUSH_LIMITS: PushLimits = {
  concurrency: 8,
  queuedMessages: 1_000,
  queuedDeliveries: 2_000,
  timeoutMs: 5_000,
  ttlSeconds: 24 * 60 * 60,
};

export interface PushSenderDeps {
  db: Db;
  keys: VapidKeyStore;
  /** The JWT's `sub`. */
  subject: string;
  settingsOf(userId: bigint): Promise<UserSettings>;
  /** The user's notification overrides by target id (the read-states feature's). */
  overridesOf(userId: bigint): Promise<Record<string, NotificationOverride>>;
  /** Whether the user has a gateway connection on this instance now. */
  isOnline(userId: bigint): boolean;
  /**
   * Which of them are online on any instance (with several, the shared presence registry); when
   * left out, only this instance's connections count.
   */
  onlineAmong?(userIds: readonly bigint[]): Promise<Set<bigint>>;
  /** The agent that refuses private addresses at connect time (infra/safe-lookup.ts). */
  agent: Agent;
  /** DECENTRA_ALLOW_PRIVATE_FETCH. */
  allowPrivate: boolean;
  log: Logger;
  now: () => number;
  limits?: Partial<PushLimits> | undefined;
}

type Candidates = { kind: 'users'; ids: bigint[] } | { kind: 'members'; serverId: bigint };

interface Delivery {
  subscription: PushSubscriptionRow;
  payload: string;
  urgency: 'high' | 'normal';
}

/**
 * Who is a message's push for, before any query: the other end of a DM; in a server channel the
 * mentioned users, or every member for `@everyone` (`@here` is for those online, who get the
 * gateway's event instead). Never the author.
 */
export function pushCandidates(created: MessageCreated): Candidates | undefined {
  const { message, serverId, dmEnds } = created;
  if (message.call !== undefined) return undefined;
  const author = BigInt(message.author.id);
  if (serverId === null) {
    const ids = (dmEnds ?? []).filter((id) => id !== author);
    return ids.length > 0 ? { kind: 'users', ids } : undefined;
  }
  if (message.mentionEveryone === 'everyone') return { kind: 'members', serverId };
  const ids = [...new Set(message.mentions)].map(BigInt).filter((id) => id !== author);
  return ids.length > 0 ? { kind: 'users', ids } : undefined;
}

/**
 * Web Push for new messages, off the send path: `enqueue` only queues; one loop looks at each
 * message in turn (recipients, their settings, the payload) and a bounded pool sends. Pushes to
 * one browser leave one after another in message order (a newer notification of a channel
 * replaces the older, so order matters); at most `concurrency` are in flight.
 */
export class PushSender {
  private readonly limits: PushLimits;
  private readonly messages: Array<{ created: MessageCreated; candidates: Candidates }> = [];
  private readonly deliveries: Delivery[] = [];
  private readonly busyEndpoints = new Set<string>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly stop = new AbortController();
  private resolving: Promise<void> | undefined;
  private dropped = 0;
  private closed = false;

  constructor(private readonly deps: PushSenderDeps) {
    this.limits = { ...DEFAULT_PUSH_LIMITS, ...deps.limits };
  }

  /**
   * Called on the send path: queues and returns at once; drops (and says so once) when full.
   * Recipients known by id who are online now are left out here, as the message is sent: they
   * saw it in the app, and may have left by the time the queue reaches it.
   */
  enqueue(created: MessageCreated): void {
    if (this.closed) return;
    let candidates = pushCandidates(created);
    if (candidates?.kind === 'users') {
      const offline = candidates.ids.filter((id) => !this.deps.isOnline(id));
      candidates = offline.length > 0 ? { kind: 'users', ids: offline } : undefined;
    }
    if (candidates === undefined) return;
    if (this.messages.length >= this.limits.queuedMessages) {
      if (this.dropped++ === 0) {
        this.deps.log.warn(
          { queued: this.messages.length },
          'push queue full: dropping the pushes of new messages until it drains',
        );
      }
      return;
    }
    this.messages.push({ created, candidates });
    this.resolveNext();
  }

  /** Stops taking messages, drops what waits, cuts pushes in flight short and waits for them. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const waiting = this.messages.length + this.deliveries.length;
    this.messages.length = 0;
    this.deliveries.length = 0;
    this.stop.abort();
    if (waiting > 0) this.deps.log.info({ waiting }, 'pushes not sent: shutting down');
    await Promise.allSettled([this.resolving, ...this.inFlight]);
    this.deps.agent.destroy();
  }

  private resolveNext(): void {
    if (this.resolving || this.closed) return;
    if (this.deliveries.length >= this.limits.queuedDeliveries) return;
    const next = this.messages.shift();
    if (!next) {
      if (this.dropped > 0) {
        this.deps.log.warn(
          { dropped: this.dropped },
          'push queue drained after dropping the pushes of messages',
        );
        this.dropped = 0;
      }
      return;
    }
    this.resolving = this.resolve(next.created, next.candidates)
      .catch((err: unknown) => {
        this.deps.log.error(
          { err, messageId: next.created.message.id },
          'could not work out the pushes of a message',
        );
      })
      .finally(() => {
        this.resolving = undefined;
        this.resolveNext();
      });
  }

  /**
   * The pushes one message makes, queued in order. Whoever is online by now is left out too, on
   * this instance or any other (for `@everyone`, whose members are known only here, this is the
   * only look).
   */
  private async resolve(created: MessageCreated, candidates: Candidates): Promise<void> {
    const { db, isOnline } = this.deps;
    const rows =
      candidates.kind === 'members'
        ? await subscriptionsOfMembers(db, candidates.serverId)
        : await subscriptionsOfUsers(db, candidates.ids);
    const author = BigInt(created.message.author.id);
    const byUser = new Map<bigint, PushSubscriptionRow[]>();
    for (const row of rows) {
      if (row.userId === author || isOnline(row.userId)) continue;
      byUser.set(row.userId, [...(byUser.get(row.userId) ?? []), row]);
    }
    // Connected to another instance: they see it in the app there.
    const elsewhere = byUser.size > 0 ? await this.deps.onlineAmong?.([...byUser.keys()]) : undefined;
    for (const userId of elsewhere ?? []) byUser.delete(userId);
    const told: PushSubscriptionRow[] = [];
    for (const [userId, subscriptions] of byUser) {
      if (await this.notifies(created, userId)) told.push(...subscriptions);
    }
    if (told.length === 0 || this.closed) return;
    const payload = JSON.stringify(await this.payloadOf(created));
    const urgency = created.serverId === null ? 'high' : 'normal';
    for (const subscription of told) this.deliveries.push({ subscription, payload, urgency });
    this.sendMore();
  }

  /** The protocol's one decision, under the user's settings and overrides; a push needs a mention. */
  private async notifies(created: MessageCreated, userId: bigint): Promise<boolean> {
    const [settings, overrides] = await Promise.all([
      this.deps.settingsOf(userId),
      this.deps.overridesOf(userId),
    ]);
    const decision = notifyDecision(created.message, {
      userId: userId.toString(),
      serverId: created.serverId === null ? null : created.serverId.toString(),
      settings: settings.notifications,
      overrides,
      now: this.deps.now(),
    });
    return decision.notify && decision.mention;
  }

  private async payloadOf({ message, serverId }: MessageCreated): Promise<PushPayload> {
    let title = message.author.username;
    if (serverId !== null) {
      const place = await channelPlace(this.deps.db, BigInt(message.channelId));
      if (place) title += ` (#${place.channel}, ${place.server})`;
    }
    return {
      title,
      body: notificationBody(message.content, message.attachments),
      url: `/channels/${serverId === null ? '@me' : serverId.toString()}/${message.channelId}`,
      tag: message.channelId,
    };
  }

  /** Starts waiting pushes while there is room, skipping those whose browser has one in flight. */
  private sendMore(): void {
    while (!this.closed && this.inFlight.size < this.limits.concurrency) {
      const index = this.deliveries.findIndex((d) => !this.busyEndpoints.has(d.subscription.endpoint));
      if (index < 0) break;
      const [delivery] = this.deliveries.splice(index, 1);
      if (!delivery) break;
      const endpoint = delivery.subscription.endpoint;
      this.busyEndpoints.add(endpoint);
      const sending: Promise<void> = this.deliver(delivery).finally(() => {
        this.inFlight.delete(sending);
        this.busyEndpoints.delete(endpoint);
        this.sendMore();
        this.resolveNext();
      });
      this.inFlight.add(sending);
    }
  }

  /** One push: encrypted and signed by web-push, sent through the guarded agent. Never throws. */
  private async deliver({ subscription, payload, urgency }: Delivery): Promise<void> {
    const { log } = this.deps;
    const url = URL.canParse(subscription.endpoint) ? new URL(subscription.endpoint) : undefined;
    const where = { subscriptionId: subscription.id.toString(), pushService: url?.origin };
    if (!url) {
      log.warn(where, 'push endpoint is no URL: skipped');
      return;
    }
    try {
      const keys = await this.deps.keys.keys();
      const details = webPush.generateRequestDetails(
        { endpoint: subscription.endpoint, keys: { p256dh: subscription.p256dh, auth: subscription.auth } },
        payload,
        {
          vapidDetails: {
            subject: this.deps.subject,
            publicKey: keys.publicKey,
            privateKey: keys.privateKey,
          },
          TTL: this.limits.ttlSeconds,
          urgency,
          contentEncoding: 'aes128gcm',
        },
      );
      // Names are checked by the agent's lookup as they are connected to; Node connects to an
      // address literal without a lookup, so those are checked here.
      const host = hostOf(url);
      if (!this.deps.allowPrivate && isIP(host) !== 0) await assertPublicHost(host);
      const status = await this.post(url, details.headers, details.body);
      if (status >= 200 && status < 300) return;
      if (status === 404 || status === 410) {
        await deleteSubscription(this.deps.db, subscription.id);
        log.info({ ...where, status }, 'push subscription expired at its push service: removed');
        return;
      }
      log.warn({ ...where, status }, 'push refused by the push service');
    } catch (err) {
      if (this.stop.signal.aborted) return;
      if (err instanceof PrivateAddressError) {
        // No push service lives there (a name rebound to a local address): never try it again.
        log.warn({ ...where, err: err.message, code: err.code }, 'push endpoint is not public: removed');
        await deleteSubscription(this.deps.db, subscription.id).catch((e: unknown) =>
          log.warn({ ...where, err: e }, 'could not remove a push subscription'),
        );
        return;
      }
      const { message, code } = err as NodeJS.ErrnoException;
      log.warn({ ...where, err: message, code }, 'push failed');
    }
  }

  private post(url: URL, headers: Record<string, string | number>, body: Buffer | null): Promise<number> {
    const cutOff = deadline(this.limits.timeoutMs, this.stop.signal);
    return new Promise<number>((resolve, reject) => {
      const req = request(
        {
          protocol: 'https:',
          hostname: hostOf(url),
          port: url.port === '' ? 443 : Number(url.port),
          path: `${url.pathname}${url.search}`,
          method: 'POST',
          headers,
          agent: this.deps.agent,
          signal: cutOff.signal,
        },
        (res) => {
          // The answer's body says nothing we act on: read it away so that the socket is reused.
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body ?? undefined);
    }).finally(cutOff.clear);
  }
}
