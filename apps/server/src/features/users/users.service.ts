import type { UserProfile, UserSearchResult } from '@decentra/protocol';
import { notFound } from '../../infra/errors.js';
import type { Db } from '../../storage/db.js';
import { toUserRef } from '../accounts/user-dto.js';
import { findLiveUser, mutualFriends, mutualServers } from './profile.repo.js';
import { searchUsers } from './users.repo.js';

/** What profiles ask the friends feature (FriendsService answers it). */
export interface FriendshipLookup {
  areFriends(db: Db, a: bigint, b: bigint): Promise<boolean>;
  pendingBetween(db: Db, me: bigint, other: bigint): Promise<'incoming' | 'outgoing' | undefined>;
}

export class UsersService {
  constructor(
    private readonly db: Db,
    private readonly friends: FriendshipLookup,
  ) {}

  /** Prefix search on usernames (case-insensitive), never the caller, with how each relates to them. */
  async search(userId: bigint, q: string): Promise<UserSearchResult[]> {
    const rows = await searchUsers(this.db, userId, q);
    return rows.map((r) => ({ ...toUserRef(r), relationship: r.relationship }));
  }

  /**
   * Someone's profile, seen by `viewerId`: only when they share a server, are friends or have a
   * request pending between them (or it is the viewer's own). Anyone else gets the same 404 as a
   * user who does not exist, so the route cannot be used to probe for accounts.
   */
  async profile(viewerId: bigint, userId: bigint): Promise<UserProfile> {
    const hidden = () => notFound('No such user.');
    const user = await findLiveUser(this.db, userId);
    if (!user) throw hidden();
    const base = { ...toUserRef(user), createdAt: user.createdAt.toISOString() };
    if (viewerId === userId) return { ...base, relationship: 'none', mutualServers: [], mutualFriends: [] };
    const [friends, pending, servers] = await Promise.all([
      this.friends.areFriends(this.db, viewerId, userId),
      this.friends.pendingBetween(this.db, viewerId, userId),
      mutualServers(this.db, viewerId, userId),
    ]);
    if (!friends && !pending && servers.length === 0) throw hidden();
    const mutual = await mutualFriends(this.db, viewerId, userId);
    return {
      ...base,
      relationship: friends ? 'friend' : (pending ?? 'none'),
      mutualServers: servers.map((s) => ({
        id: s.id.toString(),
        name: s.name,
        joinedAt: s.joinedAt.toISOString(),
      })),
      mutualFriends: mutual.map(toUserRef),
    };
  }
}
