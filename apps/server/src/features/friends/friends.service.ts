import {
  type FriendRequest,
  type Friends,
  MAX_PENDING_OUTGOING_REQUESTS,
  type UserRef,
} from '@decentra/protocol';
import { conflict, forbidden, invalidInput, notFound } from '../../infra/errors.js';
import type { IdGenerator } from '../../infra/ids.js';
import type { Actor } from '../../kernel/actor.js';
import type { BusMessage } from '../../kernel/events.js';
import { AsyncListeners, combine, type Outcome, outcome } from '../../kernel/outcome.js';
import { ReadBatch } from '../../kernel/read-batch.js';
import { type Db, readBatching } from '../../storage/db.js';
import { toFriendRequest, toRef } from './friend-dto.js';
import { friendAdded, friendRemoved, requestCreated, requestDeleted } from './friend-events.js';
import {
  areFriends,
  countOutgoing,
  deleteFriendship,
  deleteRequestOf,
  deleteRequestsOf,
  findRequest,
  findRequestBetween,
  findUserRefByName,
  insertFriendship,
  insertRequest,
  listFriends,
  listFriendsOf,
  listRequestsOf,
  lockUsers,
  type PendingRequests,
  pendingRequestBetween,
  type UserRefRow,
} from './friends.repo.js';

export interface FriendsDeps {
  db: Db;
  ids: IdGenerator;
  now?: () => Date;
}

const NO_SUCH_REQUEST = 'No such friend request.';

/**
 * Friend requests and friendships. Every change that depends on the state of a pair runs in
 * one transaction holding both users' locks, so two people asking each other at the same
 * moment end as friends exactly once, and the pending-request limit holds under concurrency.
 */
export class FriendsService {
  private readonly now: () => Date;
  private readonly unfriended = new AsyncListeners<[a: bigint, b: bigint]>();

  /** `ready`'s reads: the asks of one turn (a reconnect storm) are one query each. */
  private readonly friendsBatch: ReadBatch<bigint, UserRefRow[]>;
  private readonly requestsBatch: ReadBatch<bigint, PendingRequests>;

  constructor(private readonly deps: FriendsDeps) {
    this.now = deps.now ?? (() => new Date());
    this.friendsBatch = new ReadBatch(
      (ids) => listFriendsOf(deps.db, ids),
      () => [],
      readBatching(deps.db),
    );
    this.requestsBatch = new ReadBatch(
      (ids) => listRequestsOf(deps.db, ids),
      () => ({ incoming: [], outgoing: [] }),
      readBatching(deps.db),
    );
  }

  /** Tells `listener`, inside the transaction that ends a friendship, that the two are no longer friends. */
  onUnfriended(listener: (a: bigint, b: bigint) => Outcome<void> | Promise<Outcome<void>>): void {
    this.unfriended.add(listener);
  }

  async list(userId: bigint): Promise<Friends> {
    const [friends, { incoming, outgoing }] = await Promise.all([
      this.friendsBatch.load(userId),
      this.requestsBatch.load(userId),
    ]);
    return {
      friends: friends.map(toRef),
      incoming: incoming.map(toFriendRequest),
      outgoing: outgoing.map(toFriendRequest),
    };
  }

  /**
   * Whether the two are friends now (DMs and calls need it), read on `db` (a transaction or not).
   * With `lock`, inside a transaction, the friendship is held (for share) until it ends, so an
   * unfriending waits for the change it allowed (a call being started) and never slips under it.
   */
  areFriends(db: Db, a: bigint, b: bigint, lock = false): Promise<boolean> {
    return areFriends(db, a, b, lock);
  }

  /** The request pending between `me` and `other`, as `me` sees it: theirs (incoming) or mine. */
  pendingBetween(db: Db, me: bigint, other: bigint): Promise<'incoming' | 'outgoing' | undefined> {
    return pendingRequestBetween(db, me, other);
  }

  /**
   * Asks `username` to be friends. When they had already asked the caller, the two become
   * friends at once and the answer is their (now accepted) request.
   */
  async sendRequest(tx: Db, me: Actor, username: string): Promise<Outcome<FriendRequest>> {
    const target = await findUserRefByName(tx, username);
    if (!target) throw notFound('Nobody has that username.');
    if (target.id === me.id) {
      throw invalidInput('You cannot send a friend request to yourself.', { reason: 'self' });
    }
    await lockUsers(tx, [me.id, target.id]);
    if (await areFriends(tx, me.id, target.id)) {
      throw conflict(`You are already friends with ${target.username}.`, { reason: 'already_friends' });
    }
    const theirs = await findRequestBetween(tx, target.id, me.id);
    if (theirs) {
      const request = toFriendRequest(theirs);
      return outcome(request, await this.befriend(tx, request));
    }
    if (await findRequestBetween(tx, me.id, target.id)) throw alreadyAsked(target.username);
    if ((await countOutgoing(tx, me.id)) >= MAX_PENDING_OUTGOING_REQUESTS) {
      throw forbidden(
        `You have ${MAX_PENDING_OUTGOING_REQUESTS} friend requests waiting for an answer. Cancel one before sending another.`,
        { reason: 'outgoing_limit', limit: MAX_PENDING_OUTGOING_REQUESTS },
      );
    }
    const row = await insertRequest(tx, {
      id: this.deps.ids.next(),
      fromId: me.id,
      toId: target.id,
      createdAt: this.now(),
    });
    if (!row) throw alreadyAsked(target.username);
    const from = { ...me, avatarHash: me.avatarHash ?? null };
    const request = toFriendRequest({ id: row.id, createdAt: row.createdAt, from, to: target });
    return outcome(request, [requestCreated(request)]);
  }

  /** Only the receiver accepts; the answer is the new friend. */
  async accept(tx: Db, me: bigint, requestId: bigint): Promise<Outcome<UserRef>> {
    const found = await findRequest(tx, requestId);
    if (!found || (found.to.id !== me && found.from.id !== me)) throw notFound(NO_SUCH_REQUEST);
    if (found.to.id !== me) {
      throw forbidden('Only the person who received a friend request can accept it.');
    }
    await lockUsers(tx, [found.from.id, found.to.id]);
    const request = toFriendRequest(found);
    return outcome(request.from, await this.befriend(tx, request));
  }

  /** Declines (receiver) or cancels (sender) a request. */
  async deleteRequest(tx: Db, me: bigint, requestId: bigint): Promise<Outcome<void>> {
    const row = await deleteRequestOf(tx, requestId, me);
    if (!row) throw notFound(NO_SUCH_REQUEST);
    return outcome(undefined, [requestDeleted(row.id, row.fromId, row.toId)]);
  }

  async removeFriend(tx: Db, me: bigint, otherId: bigint): Promise<Outcome<void>> {
    if (!(await deleteFriendship(tx, me, otherId))) throw notFound('You are not friends with that user.');
    return combine(undefined, [
      await this.unfriended.tell(me, otherId),
      outcome(undefined, friendRemoved(me, otherId)),
    ]);
  }

  /**
   * An account being deleted: every friendship ends (as an unfriending: calls end, both sides hear
   * `friend_remove`) and every request to or from them is withdrawn.
   */
  async removeAllOf(tx: Db, userId: bigint): Promise<Outcome<void>> {
    await lockUsers(tx, [userId]);
    const parts: Outcome<void>[] = [];
    for (const friend of await listFriends(tx, userId)) {
      parts.push(await this.removeFriend(tx, userId, friend.id));
    }
    const requests = await deleteRequestsOf(tx, userId);
    parts.push(
      outcome(
        undefined,
        requests.map((r) => requestDeleted(r.id, r.fromId, r.toId)),
      ),
    );
    return combine(undefined, parts);
  }

  /** Turns a pending request into a friendship; the caller holds both users' locks. */
  private async befriend(tx: Db, request: FriendRequest): Promise<BusMessage[]> {
    const { from, to } = request;
    const id = BigInt(request.id);
    // Re-checked under the locks: a decline or cancel may have won the race since it was read.
    const gone = await deleteRequestOf(tx, id, BigInt(to.id));
    if (!gone) throw notFound(NO_SUCH_REQUEST);
    await insertFriendship(tx, BigInt(from.id), BigInt(to.id), this.now());
    return [requestDeleted(id, BigInt(from.id), BigInt(to.id)), ...friendAdded(from, to)];
  }
}

const alreadyAsked = (username: string) =>
  conflict(`You have already sent ${username} a friend request.`, { reason: 'already_requested' });
