import { type Relationship, USER_SEARCH_LIMIT } from '@decentra/protocol';
import { and, eq, inArray, isNull, ne, sql } from 'drizzle-orm';
import { unionAll } from 'drizzle-orm/pg-core';
import type { Db } from '../../storage/db.js';
import { friendRequests, friendships, users } from '../../storage/schema.js';

/** LIKE treats `%`, `_` and `\` as special; a search for them means the characters themselves. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, '\\$&');
}

/**
 * Each flag tests membership in one of the caller's own small sets (friends, incoming, outgoing),
 * which PostgreSQL reads once through their indexes, however many users there are.
 */
function relationshipTo(db: Db, me: bigint) {
  const friends = unionAll(
    db.select({ id: friendships.userHigh }).from(friendships).where(eq(friendships.userLow, me)),
    db.select({ id: friendships.userLow }).from(friendships).where(eq(friendships.userHigh, me)),
  );
  const incoming = db
    .select({ id: friendRequests.fromId })
    .from(friendRequests)
    .where(eq(friendRequests.toId, me));
  const outgoing = db
    .select({ id: friendRequests.toId })
    .from(friendRequests)
    .where(eq(friendRequests.fromId, me));
  return sql<Relationship>`case
    when ${inArray(users.id, friends)} then 'friend'
    when ${inArray(users.id, incoming)} then 'incoming'
    when ${inArray(users.id, outgoing)} then 'outgoing'
    else 'none' end`;
}

/**
 * Names starting with `q`, whatever the case, except the caller's own, in byte order of their
 * lower-case form. `LIKE 'q%'` and `ORDER BY … USING ~<~` both match users_username_prefix_idx
 * (text_pattern_ops), so the scan reads just the first matches in order and stops at the limit.
 * Kept as a query builder so a test can EXPLAIN exactly this query.
 */
export function searchUsersQuery(db: Db, me: bigint, q: string) {
  return db
    .select({
      id: users.id,
      username: users.username,
      avatarHash: users.avatarHash,
      relationship: relationshipTo(db, me),
    })
    .from(users)
    .where(
      and(
        sql`lower(${users.username}) like lower(${`${escapeLike(q)}%`})`,
        ne(users.id, me),
        isNull(users.deletedAt),
      ),
    )
    .orderBy(sql`lower(${users.username}) using ~<~`)
    .limit(USER_SEARCH_LIMIT);
}

export async function searchUsers(
  db: Db,
  me: bigint,
  q: string,
): Promise<Array<{ id: bigint; username: string; avatarHash: string | null; relationship: Relationship }>> {
  return searchUsersQuery(db, me, q);
}
