import { and, desc, eq, sql } from 'drizzle-orm';
import type { Db } from '../../storage/db.js';
import { messagePins, messages, users } from '../../storage/schema.js';

export interface PinRow {
  messageId: bigint;
  pinnedAt: Date;
  pinnedBy: { id: bigint; username: string; avatarHash: string | null };
}

/**
 * Serialises pin changes of one channel until the transaction ends, so that counting the pins and
 * adding one cannot interleave with another pin's (the limit stays exact under concurrency). Ids are
 * snowflakes, unique across all tables, so the one-bigint key names this channel alone (the friends
 * feature keys user ids the same way).
 */
export async function lockChannelPins(db: Db, channelId: bigint): Promise<void> {
  await db.execute(sql`select pg_advisory_xact_lock(${channelId.toString()}::bigint)`);
}

/** Whether the message is in the channel, whether it is pinned, and how many pins the channel has. */
export async function pinState(
  db: Db,
  channelId: bigint,
  messageId: bigint,
): Promise<{ exists: boolean; pinned: boolean; count: number }> {
  const c = sql`${channelId.toString()}::bigint`;
  const m = sql`${messageId.toString()}::bigint`;
  const [row] = await db
    .select({
      exists: sql<boolean>`exists (select 1 from ${messages} where ${messages.id} = ${m} and ${messages.channelId} = ${c})`,
      pinned: sql<boolean>`exists (select 1 from ${messagePins} where ${messagePins.messageId} = ${m} and ${messagePins.channelId} = ${c})`,
      count: sql<number>`(select count(*)::int from ${messagePins} where ${messagePins.channelId} = ${c})`,
    })
    .from(sql`(select 1) as one`);
  return row ?? { exists: false, pinned: false, count: 0 };
}

export async function insertPin(
  db: Db,
  pin: { channelId: bigint; messageId: bigint; pinnedBy: bigint; pinnedAt: Date },
): Promise<void> {
  await db.insert(messagePins).values(pin).onConflictDoNothing();
}

export async function deletePin(db: Db, channelId: bigint, messageId: bigint): Promise<boolean> {
  const gone = await db
    .delete(messagePins)
    .where(and(eq(messagePins.channelId, channelId), eq(messagePins.messageId, messageId)))
    .returning({ id: messagePins.messageId });
  return gone.length > 0;
}

/** The channel's pins, newest first, with who pinned each. */
export async function pinsOf(db: Db, channelId: bigint): Promise<PinRow[]> {
  return db
    .select({
      messageId: messagePins.messageId,
      pinnedAt: messagePins.pinnedAt,
      pinnedBy: { id: users.id, username: users.username, avatarHash: users.avatarHash },
    })
    .from(messagePins)
    .innerJoin(users, eq(users.id, messagePins.pinnedBy))
    .where(eq(messagePins.channelId, channelId))
    .orderBy(desc(messagePins.pinnedAt), desc(messagePins.messageId));
}
