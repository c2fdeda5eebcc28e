import {
  type FriendRequest,
  type Friends,
  MAX_PENDING_OUTGOING_REQUESTS,
  type UserRef,
} from '@decentra/protocol';
import type { BusMessage } from '../../bus/bus.js';
import { DomainError, forbidden, notFound } from '../../infra/errors.js';
import type { IdGenerator } from '../../infra/ids.js';
import type { Db } from '../../storage/db.js';
import { findUserByUsername } from '../accounts/accounts.repo.js';
import type { AuthContext } from '../accounts/accounts.service.js';
import { toFriendRequest, toRef } from './friend-dto.js';
import { friendAdded, friendRemoved, requestCreated, requestDeleted } from './friend-events.js';
import {
  areFriends,
  countOutgoing,
  deleteFriendship,
  deleteRequestOf,
  findRequest,
  findRequestBetween,
  insertFriendship,
  insertRequest,
  listFriends,
  listRequests,
  lockUsers,
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

  constructor(private readonly deps: FriendsDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  async list(userId: string): Promise<Friends> {
    const { db } = this.deps;
    const me = BigInt(userId);
    const [friends, incoming, outgoing] = await Promise.all([
      listFriends(db, me),
      listRequests(db, me, 'incoming'),
      listRequests(db, me, 'outgoing'),
    ]);
    return {
      friends: friends.map(toRef),
      incoming: incoming.map(toFriendRequest),
      outgoing: outgoing.map(toFriendRequest),
    };
  }

  /**
   * Asks `username` to be friends. When they had already asked the caller, the two become
   * friends at once and the answer is their (now accepted) request.
   */
  async sendRequest(
    auth: Pick<AuthContext, 'user'>,
    username: string,
  ): Promise<{ request: FriendRequest; events: BusMessage[] }> {
    const { db, ids } = this.deps;
    const me = auth.user;
    const target = await findUserByUsername(db, username);
    if (!target) throw notFound('Nobody has that username.');
    if (target.id === me.id) {
      throw new DomainError('invalid_input', 'You cannot send a friend request to yourself.', {
        reason: 'self',
      });
    }
    return db.transaction(async (tx) => {
      await lockUsers(tx, [me.id, target.id]);
      if (await areFriends(tx, me.id, target.id)) {
        throw new DomainError('conflict', `You are already friends with ${target.username}.`, {
          reason: 'already_friends',
        });
      }
      const theirs = await findRequestBetween(tx, target.id, me.id);
      if (theirs) {
        const request = toFriendRequest(theirs);
        return { request, events: await this.befriend(tx, request) };
      }
      if (await findRequestBetween(tx, me.id, target.id)) throw alreadyAsked(target.username);
      if ((await countOutgoing(tx, me.id)) >= MAX_PENDING_OUTGOING_REQUESTS) {
        throw new DomainError(
          'forbidden',
          `You have ${MAX_PENDING_OUTGOING_REQUESTS} friend requests waiting for an answer. Cancel one before sending another.`,
          { reason: 'outgoing_limit', limit: MAX_PENDING_OUTGOING_REQUESTS },
        );
      }
      const row = await insertRequest(tx, {
        id: ids.next(),
        fromId: me.id,
        toId: target.id,
        createdAt: this.now(),
      });
      if (!row) throw alreadyAsked(target.username);
      const request = toFriendRequest({ id: row.id, createdAt: row.createdAt, from: me, to: target });
      return { request, events: [requestCreated(request)] };
    });
  }

  /** Only the receiver accepts; the answer is the new friend. */
  async accept(userId: string, requestId: string): Promise<{ friend: UserRef; events: BusMessage[] }> {
    const me = BigInt(userId);
    return this.deps.db.transaction(async (tx) => {
      const found = await findRequest(tx, BigInt(requestId));
      if (!found || (found.to.id !== me && found.from.id !== me)) throw notFound(NO_SUCH_REQUEST);
      if (found.to.id !== me) {
        throw forbidden('Only the person who received a friend request can accept it.');
      }
      await lockUsers(tx, [found.from.id, found.to.id]);
      const request = toFriendRequest(found);
      return { friend: request.from, events: await this.befriend(tx, request) };
    });
  }

  /** Declines (receiver) or cancels (sender) a request. */
  async deleteRequest(userId: string, requestId: string): Promise<BusMessage[]> {
    const row = await deleteRequestOf(this.deps.db, BigInt(requestId), BigInt(userId));
    if (!row) throw notFound(NO_SUCH_REQUEST);
    return [requestDeleted(row.id.toString(), row.fromId.toString(), row.toId.toString())];
  }

  async removeFriend(userId: string, otherId: string): Promise<BusMessage[]> {
    const removed = await deleteFriendship(this.deps.db, BigInt(userId), BigInt(otherId));
    if (!removed) throw notFound('You are not friends with that user.');
    return friendRemoved(userId, otherId);
  }

  /** Turns a pending request into a friendship; the caller holds both users' locks. */
  private async befriend(tx: Db, request: FriendRequest): Promise<BusMessage[]> {
    const { from, to } = request;
    // Re-checked under the locks: a decline or cancel may have won the race since it was read.
    const gone = await deleteRequestOf(tx, BigInt(request.id), BigInt(to.id));
    if (!gone) throw notFound(NO_SUCH_REQUEST);
    await insertFriendship(tx, BigInt(from.id), BigInt(to.id), this.now());
    return [requestDeleted(request.id, from.id, to.id), ...friendAdded(from, to)];
  }
}

const alreadyAsked = (username: string) =>
  new DomainError('conflict', `You have already sent ${username} a friend request.`, {
    reason: 'already_requested',
  });
