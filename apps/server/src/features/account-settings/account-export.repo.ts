import { and, asc, eq, gt, or } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Db } from '../../storage/db.js';
import {
  channels,
  dmChannels,
  friendships,
  messages,
  serverMembers,
  servers,
  users,
} from '../../storage/schema.js';

/** The servers a user is in, with whether they own each. */
export function membershipsOf(db: Db, userId: bigint) {
  return db
    .select({
      id: servers.id,
      name: servers.name,
      ownerId: servers.ownerId,
      joinedAt: serverMembers.joinedAt,
    })
    .from(serverMembers)
    .innerJoin(servers, eq(servers.id, serverMembers.serverId))
    .where(eq(serverMembers.userId, userId))
    .orderBy(asc(serverMembers.joinedAt));
}

/** A user's friends with when the friendship began. */
export function friendsOf(db: Db, userId: bigint) {
  return db
    .select({ id: users.id, username: users.username, since: friendships.createdAt })
    .from(friendships)
    .innerJoin(
      users,
      or(
        and(eq(friendships.userLow, userId), eq(users.id, friendships.userHigh)),
        and(eq(friendships.userHigh, userId), eq(users.id, friendships.userLow)),
      ),
    )
    .where(or(eq(friendships.userLow, userId), eq(friendships.userHigh, userId)))
    .orderBy(asc(friendships.createdAt));
}

/** A user's DM channels, each with the other end. */
export function dmsOf(db: Db, userId: bigint) {
  return db
    .select({ channelId: dmChannels.channelId, otherId: users.id, otherName: users.username })
    .from(dmChannels)
    .innerJoin(
      users,
      or(
        and(eq(dmChannels.userLow, userId), eq(users.id, dmChannels.userHigh)),
        and(eq(dmChannels.userHigh, userId), eq(users.id, dmChannels.userLow)),
      ),
    )
    .where(or(eq(dmChannels.userLow, userId), eq(dmChannels.userHigh, userId)))
    .orderBy(asc(dmChannels.channelId));
}

/** One page of what a user wrote, oldest first, after message `after` (messages_author_idx). */
export function messagesByAuthor(db: Db, userId: bigint, after: bigint, limit: number) {
  const channel = alias(channels, 'channel');
  return db
    .select({
      id: messages.id,
      channelId: messages.channelId,
      serverId: channel.serverId,
      channelName: channel.name,
      content: messages.content,
      createdAt: messages.createdAt,
      editedAt: messages.editedAt,
    })
    .from(messages)
    .innerJoin(channel, eq(channel.id, messages.channelId))
    .where(and(eq(messages.authorId, userId), gt(messages.id, after)))
    .orderBy(asc(messages.id))
    .limit(limit);
}
