import { and, asc, count, eq, isNull, or, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { type Db, executeRows } from '../../storage/db.js';
import { preparedPerDb } from '../../storage/prepared.js';
import { friendRequests, friendships, users } from '../../storage/schema.js';

export type FriendRequestRow = typeof friendRequests.$inferSelect;

export interface UserRefRow {
  id: bigint;
  username: string;
  avatarHash: string | null;
}

/** A request with both ends' names, as the wire shows it. */
export interface FriendRequestView {
  id: bigint;
  createdAt: Date;
  from: UserRefRow;
  to: UserRefRow;
}

/**
 * Serialises every friend change touching these users, across transactions and instances.
 * Ids are snowflakes, unique across all tables, so the one-bigint advisory key names the user
 * alone; taking them in ascending order means two transactions can never wait on each other.
 */
export async function lockUsers(db: Db, ids: readonly bigint[]): Promise<void> {
  const sorted = [...new Set(ids)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const id of sorted) await db.execute(sql`select pg_advisory_xact_lock(${id.toString()}::bigint)`);
}

const pairOf = (a: bigint, b: bigint) => (a < b ? { userLow: a, userHigh: b } : { userLow: b, userHigh: a });

const isPair = (a: bigint, b: bigint) => {
  const { userLow, userHigh } = pairOf(a, b);
  return and(eq(friendships.userLow, userLow), eq(friendships.userHigh, userHigh));
};

export async function areFriends(db: Db, a: bigint, b: bigint, lock = false): Promise<boolean> {
  const query = db.select({ one: sql`1` }).from(friendships).where(isPair(a, b));
  const rows = lock ? await query.for('share') : await query;
  return rows.length > 0;
}

/** False when the two were already friends. */
export async function insertFriendship(db: Db, a: bigint, b: bigint, createdAt: Date): Promise<boolean> {
  const rows = await db
    .insert(friendships)
    .values({ ...pairOf(a, b), createdAt })
    .onConflictDoNothing()
    .returning({ low: friendships.userLow });
  return rows.length > 0;
}

/** False when the two were not friends. */
export async function deleteFriendship(db: Db, a: bigint, b: bigint): Promise<boolean> {
  const rows = await db.delete(friendships).where(isPair(a, b)).returning({ low: friendships.userLow });
  return rows.length > 0;
}

export async function listFriends(db: Db, userId: bigint): Promise<UserRefRow[]> {
  const other = sql`case when ${friendships.userLow} = ${userId.toString()}::bigint then ${friendships.userHigh} else ${friendships.userLow} end`;
  return db
    .select({ id: users.id, username: users.username, avatarHash: users.avatarHash })
    .from(friendships)
    .innerJoin(users, eq(users.id, other))
    .where(or(eq(friendships.userLow, userId), eq(friendships.userHigh, userId)))
    .orderBy(sql`lower(${users.username})`);
}

/** `listFriends` for several users at once (the `ready`s of one turn), in the same order each. */
export async function listFriendsOf(db: Db, userIds: bigint[]): Promise<Map<bigint, UserRefRow[]>> {
  const ids = sql.join(
    userIds.map((id) => sql`${id.toString()}::bigint`),
    sql`, `,
  );
  const rows = await executeRows<{ owner: string; id: string; username: string; avatar_hash: string | null }>(
    db,
    sql`select f.owner::text as owner, u.id::text as id, u.username, u.avatar_hash
        from (select user_low as owner, user_high as other from friendships where user_low in (${ids})
              union all select user_high, user_low from friendships where user_high in (${ids})) f
        join users u on u.id = f.other
        order by lower(u.username)`,
  );
  const out = new Map<bigint, UserRefRow[]>();
  for (const row of rows) {
    const owner = BigInt(row.owner);
    const ref = { id: BigInt(row.id), username: row.username, avatarHash: row.avatar_hash };
    const list = out.get(owner);
    if (list) list.push(ref);
    else out.set(owner, [ref]);
  }
  return out;
}

const fromUser = alias(users, 'from_user');
const toUser = alias(users, 'to_user');

function selectRequests(db: Db) {
  return db
    .select({
      id: friendRequests.id,
      createdAt: friendRequests.createdAt,
      from: { id: fromUser.id, username: fromUser.username, avatarHash: fromUser.avatarHash },
      to: { id: toUser.id, username: toUser.username, avatarHash: toUser.avatarHash },
    })
    .from(friendRequests)
    .innerJoin(fromUser, eq(fromUser.id, friendRequests.fromId))
    .innerJoin(toUser, eq(toUser.id, friendRequests.toId));
}

export async function findRequest(db: Db, id: bigint): Promise<FriendRequestView | undefined> {
  const [row] = await selectRequests(db).where(eq(friendRequests.id, id));
  return row;
}

/** The pending request between the two, either way, if any. */
export async function pendingRequestBetween(
  db: Db,
  me: bigint,
  other: bigint,
): Promise<'incoming' | 'outgoing' | undefined> {
  const [row] = await db
    .select({ fromId: friendRequests.fromId })
    .from(friendRequests)
    .where(
      or(
        and(eq(friendRequests.fromId, me), eq(friendRequests.toId, other)),
        and(eq(friendRequests.fromId, other), eq(friendRequests.toId, me)),
      ),
    )
    .limit(1);
  if (!row) return undefined;
  return row.fromId === me ? 'outgoing' : 'incoming';
}

export async function findRequestBetween(
  db: Db,
  fromId: bigint,
  toId: bigint,
): Promise<FriendRequestView | undefined> {
  const [row] = await selectRequests(db).where(
    and(eq(friendRequests.fromId, fromId), eq(friendRequests.toId, toId)),
  );
  return row;
}

export interface PendingRequests {
  incoming: FriendRequestView[];
  outgoing: FriendRequestView[];
}

/** Each user's pending requests, both ways (several users at once: the `ready`s of one turn), oldest first. */
/** `ready`'s reads are prepared (see `preparedPerDb`): one text for any number of users. */
const requestsOfStatement = preparedPerDb((db) =>
  selectRequests(db)
    .where(
      or(
        sql`${friendRequests.toId} = any(${sql.placeholder('ids')}::bigint[])`,
        sql`${friendRequests.fromId} = any(${sql.placeholder('ids')}::bigint[])`,
      ),
    )
    .orderBy(asc(friendRequests.id))
    .prepare('friend_requests_of'),
);

export async function listRequestsOf(db: Db, userIds: bigint[]): Promise<Map<bigint, PendingRequests>> {
  const rows = await requestsOfStatement(db).execute({ ids: userIds.map(String) });
  const wanted = new Set(userIds);
  const out = new Map<bigint, PendingRequests>();
  const of = (userId: bigint): PendingRequests => {
    const entry = out.get(userId) ?? { incoming: [], outgoing: [] };
    out.set(userId, entry);
    return entry;
  };
  for (const row of rows) {
    if (wanted.has(row.to.id)) of(row.to.id).incoming.push(row);
    if (wanted.has(row.from.id)) of(row.from.id).outgoing.push(row);
  }
  return out;
}

export async function countOutgoing(db: Db, userId: bigint): Promise<number> {
  const [row] = await db.select({ n: count() }).from(friendRequests).where(eq(friendRequests.fromId, userId));
  return row?.n ?? 0;
}

/** Undefined when a request between the two, in this direction, already exists. */
export async function insertRequest(
  db: Db,
  row: typeof friendRequests.$inferInsert,
): Promise<FriendRequestRow | undefined> {
  const [inserted] = await db.insert(friendRequests).values(row).onConflictDoNothing().returning();
  return inserted;
}

/** Deletes the request if `userId` is one of its two ends; undefined when there was none. */
export async function deleteRequestOf(
  db: Db,
  id: bigint,
  userId: bigint,
): Promise<FriendRequestRow | undefined> {
  const [row] = await db
    .delete(friendRequests)
    .where(
      and(eq(friendRequests.id, id), or(eq(friendRequests.fromId, userId), eq(friendRequests.toId, userId))),
    )
    .returning();
  return row;
}

/** The live (not deleted) user with this name (case-insensitively), as a ref. */
export async function findUserRefByName(db: Db, username: string): Promise<UserRefRow | undefined> {
  const [row] = await db
    .select({ id: users.id, username: users.username, avatarHash: users.avatarHash })
    .from(users)
    .where(and(sql`lower(${users.username}) = lower(${username})`, isNull(users.deletedAt)));
  return row;
}

/** Every friend request the user sent or received, deleted; the rows as they were. */
export async function deleteRequestsOf(db: Db, userId: bigint): Promise<FriendRequestRow[]> {
  return db
    .delete(friendRequests)
    .where(or(eq(friendRequests.fromId, userId), eq(friendRequests.toId, userId)))
    .returning();
}
