import { and, asc, eq, gt, sql } from 'drizzle-orm';
import { type Db, executeRows } from '../../storage/db.js';
import { preparedPerDb } from '../../storage/prepared.js';
import { messageReactions, messages, users } from '../../storage/schema.js';

export interface ReactionKey {
  messageId: bigint;
  userId: bigint;
  emoji: string;
}

/** One emoji's reactions on one message, as `viewer` sees them. */
export interface ReactionSummaryRow {
  messageId: bigint;
  emoji: string;
  count: number;
  me: boolean;
}

/**
 * Holds the message's row (`FOR NO KEY UPDATE`) until the transaction ends: every add to one
 * message waits here for the one before it, which is what keeps the count of different emoji
 * exact (under READ COMMITTED the add's next statement sees what the one before committed). Edits
 * wait too; readers and the foreign-key checks of other tables do not. False: no such message in
 * that channel.
 */
export async function lockMessage(db: Db, channelId: bigint, messageId: bigint): Promise<boolean> {
  const rows = await db
    .select({ id: messages.id })
    .from(messages)
    .where(and(eq(messages.id, messageId), eq(messages.channelId, channelId)))
    .for('no key update');
  return rows.length > 0;
}

export async function messageExists(db: Db, channelId: bigint, messageId: bigint): Promise<boolean> {
  const rows = await db
    .select({ id: messages.id })
    .from(messages)
    .where(and(eq(messages.id, messageId), eq(messages.channelId, channelId)));
  return rows.length > 0;
}

/**
 * Adds the reaction unless the message already has `limit` different emoji and this is not one of
 * them, in one statement (run under `lockMessage`). `added`: a new row; `held`: the person had it
 * already; `full`: refused by the limit.
 */
export async function addReaction(
  db: Db,
  key: ReactionKey,
  limit: number,
  now: Date,
): Promise<'added' | 'held' | 'full'> {
  const message = sql`${key.messageId.toString()}::bigint`;
  const inserted = await executeRows<{ message_id: string }>(
    db,
    sql`insert into ${messageReactions} (message_id, user_id, emoji, created_at)
        select ${message}, ${key.userId.toString()}::bigint, ${key.emoji}::text, ${now.toISOString()}::timestamptz
        where exists (select 1 from ${messageReactions} r where r.message_id = ${message} and r.emoji = ${key.emoji})
           or (select count(distinct r.emoji) from ${messageReactions} r where r.message_id = ${message}) < ${limit}
        on conflict do nothing
        returning message_id`,
  );
  if (inserted.length > 0) return 'added';
  const held = await db
    .select({ userId: messageReactions.userId })
    .from(messageReactions)
    .where(reactionIs(key));
  return held.length > 0 ? 'held' : 'full';
}

/** True when there was such a reaction to take back. */
export async function removeReaction(db: Db, key: ReactionKey): Promise<boolean> {
  const gone = await db
    .delete(messageReactions)
    .where(reactionIs(key))
    .returning({ userId: messageReactions.userId });
  return gone.length > 0;
}

/** Who reacted with `emoji`: a range of the primary key, in user-id order. */
export async function reactors(
  db: Db,
  messageId: bigint,
  emoji: string,
  page: { after?: bigint; limit: number },
): Promise<{ id: bigint; username: string; avatarHash: string | null }[]> {
  const conditions = [eq(messageReactions.messageId, messageId), eq(messageReactions.emoji, emoji)];
  if (page.after !== undefined) conditions.push(gt(messageReactions.userId, page.after));
  return db
    .select({ id: users.id, username: users.username, avatarHash: users.avatarHash })
    .from(messageReactions)
    .innerJoin(users, eq(users.id, messageReactions.userId))
    .where(and(...conditions))
    .orderBy(asc(messageReactions.userId))
    .limit(page.limit);
}

/**
 * Every message's reactions for one reader, in one grouped query over the primary key: per
 * message, its emoji in the order each was first used.
 */
/** Every history page asks for its reactions: prepared (see `preparedPerDb`), one text for any count. */
const summariesStatement = preparedPerDb((db) =>
  db
    .select({
      messageId: messageReactions.messageId,
      emoji: messageReactions.emoji,
      count: sql<number>`count(*)::int`,
      me: sql<boolean>`bool_or(${messageReactions.userId} = ${sql.placeholder('viewerId')}::bigint)`,
    })
    .from(messageReactions)
    .where(sql`${messageReactions.messageId} = any(${sql.placeholder('ids')}::bigint[])`)
    .groupBy(messageReactions.messageId, messageReactions.emoji)
    .orderBy(
      asc(messageReactions.messageId),
      sql`min(${messageReactions.createdAt})`,
      asc(messageReactions.emoji),
    )
    .prepare('reaction_summaries'),
);

export async function reactionSummaries(
  db: Db,
  messageIds: readonly bigint[],
  viewerId: bigint,
): Promise<ReactionSummaryRow[]> {
  if (messageIds.length === 0) return [];
  return summariesStatement(db).execute({ ids: messageIds.map(String), viewerId: viewerId.toString() });
}

function reactionIs(key: ReactionKey) {
  return and(
    eq(messageReactions.messageId, key.messageId),
    eq(messageReactions.emoji, key.emoji),
    eq(messageReactions.userId, key.userId),
  );
}
