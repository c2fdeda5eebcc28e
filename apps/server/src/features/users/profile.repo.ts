import { PROFILE_MUTUAL_LIMIT } from '@decentra/protocol';
import { and, eq, isNull, sql } from 'drizzle-orm';
import { alias, intersect, unionAll } from 'drizzle-orm/pg-core';
import type { Db } from '../../storage/db.js';
import { friendships, serverMembers, servers, users } from '../../storage/schema.js';

export async function findLiveUser(
  db: Db,
  id: bigint,
): Promise<{ id: bigint; username: string; avatarHash: string | null; createdAt: Date } | undefined> {
  const [row] = await db
    .select({
      id: users.id,
      username: users.username,
      avatarHash: users.avatarHash,
      createdAt: users.createdAt,
    })
    .from(users)
    .where(and(eq(users.id, id), isNull(users.deletedAt)));
  return row;
}

const friendIdsOf = (db: Db, user: bigint) =>
  unionAll(
    db.select({ id: friendships.userHigh }).from(friendships).where(eq(friendships.userLow, user)),
    db.select({ id: friendships.userLow }).from(friendships).where(eq(friendships.userHigh, user)),
  );

/** Servers both are members of (through the primary key and the per-user index), by name. */
export async function mutualServers(
  db: Db,
  me: bigint,
  other: bigint,
): Promise<Array<{ id: bigint; name: string; joinedAt: Date }>> {
  const mine = alias(serverMembers, 'mine');
  return db
    .select({ id: servers.id, name: servers.name, joinedAt: serverMembers.joinedAt })
    .from(serverMembers)
    .innerJoin(mine, and(eq(mine.serverId, serverMembers.serverId), eq(mine.userId, me)))
    .innerJoin(servers, eq(servers.id, serverMembers.serverId))
    .where(eq(serverMembers.userId, other))
    .orderBy(sql`lower(${servers.name})`, servers.id)
    .limit(PROFILE_MUTUAL_LIMIT);
}

/** Friends of both, by name. */
export async function mutualFriends(
  db: Db,
  me: bigint,
  other: bigint,
): Promise<Array<{ id: bigint; username: string; avatarHash: string | null }>> {
  const both = intersect(friendIdsOf(db, me), friendIdsOf(db, other)).as('both');
  return db
    .select({ id: users.id, username: users.username, avatarHash: users.avatarHash })
    .from(both)
    .innerJoin(users, eq(users.id, both.id))
    .where(isNull(users.deletedAt))
    .orderBy(sql`lower(${users.username})`, users.id)
    .limit(PROFILE_MUTUAL_LIMIT);
}
