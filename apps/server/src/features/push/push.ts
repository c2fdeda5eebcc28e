import { rootCertificates } from 'node:tls';
import type { NotificationOverride, UserSettings } from '@decentra/protocol';
import type { RouteHandlers } from '../../http/api.js';
import type { IdGenerator } from '../../infra/ids.js';
import type { Logger } from '../../infra/logger.js';
import { outboundAgent } from '../../infra/safe-lookup.js';
import type { Commands } from '../../kernel/commands.js';
import { outcome } from '../../kernel/outcome.js';
import type { Db } from '../../storage/db.js';
import type { MessagesService } from '../messages/messages.service.js';
import { pushRoutes } from './push.routes.js';
import { PushService } from './push.service.js';
import { type PushLimits, PushSender } from './push-sender.js';
import { VapidKeyStore, vapidSubject } from './vapid-keys.js';

export interface PushOptions {
  /** PEM CAs to trust for push services beside the system's (tests serve a push endpoint of their own). */
  extraCa?: string | undefined;
  limits?: Partial<PushLimits> | undefined;
}

export interface PushDeps {
  db: Db;
  commands: Commands;
  ids: IdGenerator;
  messages: MessagesService;
  encryptionKey: Buffer;
  /** DECENTRA_PUBLIC_URL (or its default): the VAPID subject. */
  publicUrl: string;
  /** DECENTRA_ALLOW_PRIVATE_FETCH. */
  allowPrivateFetch: boolean;
  settingsOf(userId: bigint): Promise<UserSettings>;
  overridesOf(userId: bigint): Promise<Record<string, NotificationOverride>>;
  isOnline(userId: bigint): boolean;
  /** Which of them are online on any instance (asked before a message's pushes are made). */
  onlineAmong(userIds: readonly bigint[]): Promise<Set<bigint>>;
  log: Logger;
  now: () => number;
  options?: PushOptions | undefined;
}

/**
 * Web Push (RFC 8030/8291/8292): the routes a browser subscribes with, and a push to the
 * subscribed browsers of offline recipients of each new DM or mention. Nothing runs for users
 * who never subscribed beyond one look at the message's recipients.
 */
export function registerPush(deps: PushDeps): {
  routes: RouteHandlers<'getPushKey' | 'addPushSubscription' | 'removePushSubscription'>;
  service: PushService;
  close(): Promise<void>;
} {
  const { db, log, options } = deps;
  const now = () => new Date(deps.now());
  const keys = new VapidKeyStore(db, deps.encryptionKey, now);
  const service = new PushService({
    commands: deps.commands,
    ids: deps.ids,
    keys,
    allowPrivate: deps.allowPrivateFetch,
    now,
  });
  const agent = outboundAgent({
    allowPrivate: deps.allowPrivateFetch,
    keepAlive: true,
    maxSockets: 16,
    ...(options?.extraCa === undefined ? {} : { ca: [...rootCertificates, options.extraCa] }),
  });
  const sender = new PushSender({
    db,
    keys,
    subject: vapidSubject(deps.publicUrl),
    settingsOf: deps.settingsOf,
    overridesOf: deps.overridesOf,
    isOnline: deps.isOnline,
    onlineAmong: deps.onlineAmong,
    agent,
    allowPrivate: deps.allowPrivateFetch,
    log: log.child({ feature: 'push' }),
    now: deps.now,
    limits: options?.limits,
  });
  // Told after the message's commit; the send's answer never waits for a push.
  deps.messages.onCreated.add((created) => {
    sender.enqueue(created);
    return outcome(undefined);
  });
  return { routes: pushRoutes({ push: service }), service, close: () => sender.close() };
}
