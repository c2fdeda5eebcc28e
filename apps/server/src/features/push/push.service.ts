import { createECDH } from 'node:crypto';
import { MAX_PUSH_SUBSCRIPTIONS, type PushSubscriptionBody } from '@decentra/protocol';
import { type DomainError, invalidInput } from '../../infra/errors.js';
import type { IdGenerator } from '../../infra/ids.js';
import { assertPublicHost, hostOf, PrivateAddressError } from '../../infra/safe-lookup.js';
import type { Commands } from '../../kernel/commands.js';
import { type Outcome, outcome } from '../../kernel/outcome.js';
import type { Db } from '../../storage/db.js';
import {
  deleteOwnSubscription,
  deleteSubscriptionsOf,
  lockUser,
  type PushSubscriptionRow,
  pruneSubscriptions,
  upsertSubscription,
} from './push.repo.js';
import type { VapidKeyStore } from './vapid-keys.js';

/** The contract's PushSubscription (never the keys). */
export interface PushSubscriptionDto {
  id: string;
  endpoint: string;
  createdAt: string;
}

export interface PushServiceDeps {
  commands: Commands;
  ids: IdGenerator;
  keys: VapidKeyStore;
  /** DECENTRA_ALLOW_PRIVATE_FETCH: endpoints may be on loopback/private addresses (LAN, tests). */
  allowPrivate: boolean;
  now: () => Date;
}

const MAX_ENDPOINT_LENGTH = 2048;
const RESOLVE_TIMEOUT_MS = 5_000;

/** Browsers' push subscriptions: registered, moved, capped and forgotten per user. */
export class PushService {
  constructor(private readonly deps: PushServiceDeps) {}

  async publicKey(): Promise<{ publicKey: string }> {
    return { publicKey: await this.deps.keys.publicKey() };
  }

  /**
   * Registers this browser for the caller. The endpoint must be a public https address (checked
   * here, and again on every send). The same endpoint again replaces its keys; one registered by
   * another user moves to the caller (a browser belongs to whoever logged in there last); past
   * MAX_PUSH_SUBSCRIPTIONS the caller's oldest go.
   */
  async subscribe(userId: bigint, body: PushSubscriptionBody): Promise<PushSubscriptionDto> {
    vetKeys(body.keys);
    const endpoint = await this.vetEndpoint(body.endpoint);
    const { commands, ids, now } = this.deps;
    return commands.transaction(async (tx) => {
      await lockUser(tx, userId);
      const row = await upsertSubscription(tx, {
        id: ids.next(),
        userId,
        endpoint,
        p256dh: body.keys.p256dh,
        auth: body.keys.auth,
        createdAt: now(),
      });
      await pruneSubscriptions(tx, userId, MAX_PUSH_SUBSCRIPTIONS);
      return outcome(toDto(row));
    });
  }

  /** Forgets the caller's own subscription with this endpoint; nothing when there is none. */
  async unsubscribe(userId: bigint, endpoint: string): Promise<void> {
    await this.deps.commands.transaction(async (tx) => {
      await deleteOwnSubscription(tx, userId, normalise(endpoint) ?? endpoint);
      return outcome(undefined);
    });
  }

  /** An account being deleted: its browsers are told nothing more. */
  async forget(tx: Db, userId: bigint): Promise<Outcome<void>> {
    await deleteSubscriptionsOf(tx, userId);
    return outcome(undefined);
  }

  /** The endpoint as stored (the URL parser's form), or a refusal saying what is wrong with it. */
  private async vetEndpoint(raw: string): Promise<string> {
    const url = URL.canParse(raw) ? new URL(raw) : undefined;
    if (url?.protocol !== 'https:') throw refusal('must be an https URL');
    if (url.username !== '' || url.password !== '') throw refusal('must not carry a user name or password');
    const endpoint = url.href;
    if (endpoint.length > MAX_ENDPOINT_LENGTH) {
      throw refusal(`must be at most ${MAX_ENDPOINT_LENGTH} characters`);
    }
    if (this.deps.allowPrivate) return endpoint;
    const host = hostOf(url);
    try {
      await withTimeout(assertPublicHost(host), RESOLVE_TIMEOUT_MS);
    } catch (err) {
      if (err instanceof PrivateAddressError) {
        throw refusal(
          `${err.message}: the server sends pushes only to public addresses (a push service's), never to loopback, private, link-local or other local ones`,
        );
      }
      throw refusal(`${host} cannot be resolved`);
    }
    return endpoint;
  }
}

function refusal(message: string, path = 'endpoint'): DomainError<'invalid_input'> {
  return invalidInput(`${path} ${message}.`, { issues: [{ path, message }] });
}

/**
 * The browser's keys (RFC 8291): p256dh an uncompressed P-256 point, auth at least 16 bytes, as
 * encrypting needs them; refused now rather than failing every send.
 */
function vetKeys(keys: PushSubscriptionBody['keys']): void {
  const point = Buffer.from(keys.p256dh, 'base64url');
  let valid = point.length === 65 && point[0] === 4;
  if (valid) {
    try {
      const ecdh = createECDH('prime256v1');
      ecdh.generateKeys();
      ecdh.computeSecret(point);
    } catch {
      valid = false;
    }
  }
  if (!valid) throw refusal('must be an uncompressed P-256 public key (65 bytes)', 'keys.p256dh');
  if (Buffer.from(keys.auth, 'base64url').length < 16)
    throw refusal('must be at least 16 bytes', 'keys.auth');
}

/** The URL parser's form of an endpoint (how it is stored), or undefined when it is no URL. */
function normalise(endpoint: string): string | undefined {
  return URL.canParse(endpoint) ? new URL(endpoint).href : undefined;
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

function toDto(row: PushSubscriptionRow): PushSubscriptionDto {
  return { id: row.id.toString(), endpoint: row.endpoint, createdAt: row.createdAt.toISOString() };
}
