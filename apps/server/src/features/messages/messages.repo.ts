import { and, asc, desc, eq, getTableColumns, gt, gte, inArray, lt, sql } from 'drizzle-orm';
import type { Db } from '../../storage/db.js';
import type { MessageRow } from '../../storage/rows.js';
import { channelHeads, messageMentions, messages, serverMembers, users } from '../../storage/schema.js';
export interface MessageWithAuthor {
  message: MessageRow;
  author: { id: bigint; username: string };
}

/** Every column but the search lexemes, which history and writes never need to carry back. */
const { searchVector: _lexemes, ...messageColumns } = getTableColumns(messages);
const withAuthor = { message: messageColumns, author: { id: users.id, username: users.username } };

export type NewMessageRow = typeof messages.$inferInsert & { id: bigint };

/**
 * New messages, in one statement. A row whose author already used its nonce is left out of the
 * answer (the first message with that nonce stands). The `message_mentions` rows of the messages
 * stored (one per mentioned user other than the author) are written by a data-modifying CTE of the
 * same statement: no round trip more, and none for a row the nonce left out. Their foreign key to
 * `messages` is checked at the end of the statement, when the rows it refers to are there.
 * A third CTE moves the `channel_heads` of the channels written to their newest row stored: in
 * channel-id order, so that two instances' statements lock the heads they share in one order (no
 * deadlock), and forward only (the instances' snowflakes interleave; a head never goes back).
 */
export async function insertMessages(db: Db, rows: NewMessageRow[]): Promise<MessageRow[]> {
  const inserted = db
    .$with('inserted')
    .as(db.insert(messages).values(rows).onConflictDoNothing().returning(messageColumns));
  const mentioned = db.$with('mentioned', {}).as(
    sql`insert into ${messageMentions} (user_id, channel_id, message_id)
        select m.user_id, i.channel_id, i.id from inserted i cross join lateral unnest(i.mentions) as m(user_id)
        where m.user_id <> i.author_id
        on conflict do nothing`,
  );
  const heads = db.$with('heads', {}).as(
    sql`insert into ${channelHeads} (channel_id, last_message_id, author_id)
        select distinct on (i.channel_id) i.channel_id, i.id, i.author_id from inserted i
        order by i.channel_id, i.id desc
        on conflict (channel_id) do update
          set last_message_id = excluded.last_message_id, author_id = excluded.author_id
          where ${channelHeads}.last_message_id < excluded.last_message_id`,
  );
  return db.with(inserted, mentioned, heads).select().from(inserted);
}

export async function findByNonce(
  db: Db,
  authorId: bigint,
  nonce: string,
): Promise<MessageWithAuthor | undefined> {
  const [row] = await db
    .select(withAuthor)
    .from(messages)
    .innerJoin(users, eq(users.id, messages.authorId))
    .where(and(eq(messages.authorId, authorId), eq(messages.nonce, nonce)));
  return row;
}

export async function findMessage(
  db: Db,
  channelId: bigint,
  id: bigint,
): Promise<MessageWithAuthor | undefined> {
  const [row] = await db
    .select(withAuthor)
    .from(messages)
    .innerJoin(users, eq(users.id, messages.authorId))
    .where(and(eq(messages.channelId, channelId), eq(messages.id, id)));
  return row;
}

/**
 * A page centred on `around`: the `floor(limit / 2)` messages before it, then it (when it exists)
 * and the ones after it up to `limit` in all. Oldest first. Two walks of the (channel_id, id) index.
 */
export async function historyAround(
  db: Db,
  channelId: bigint,
  around: bigint,
  limit: number,
): Promise<MessageWithAuthor[]> {
  const olderCount = Math.floor(limit / 2);
  const older =
    olderCount === 0 ? [] : await historyPage(db, channelId, { before: around, limit: olderCount });
  const newer = await db
    .select(withAuthor)
    .from(messages)
    .innerJoin(users, eq(users.id, messages.authorId))
    .where(and(eq(messages.channelId, channelId), gte(messages.id, around)))
    .orderBy(asc(messages.id))
    .limit(limit - olderCount);
  return [...older, ...newer];
}

/**
 * One page of history on the (channel_id, id) index. With `after`: the page right after it, going
 * forward; otherwise the page right before `before` (or the newest), going back. Oldest first.
 */
export async function historyPage(
  db: Db,
  channelId: bigint,
  page: { before?: bigint; after?: bigint; limit: number },
): Promise<MessageWithAuthor[]> {
  const conditions = [eq(messages.channelId, channelId)];
  if (page.before !== undefined) conditions.push(lt(messages.id, page.before));
  if (page.after !== undefined) conditions.push(gt(messages.id, page.after));
  const forward = page.after !== undefined;
  const rows = await db
    .select(withAuthor)
    .from(messages)
    .innerJoin(users, eq(users.id, messages.authorId))
    .where(and(...conditions))
    .orderBy(forward ? asc(messages.id) : desc(messages.id))
    .limit(page.limit);
  return forward ? rows : rows.reverse();
}

export async function updateContent(
  db: Db,
  id: bigint,
  content: string,
  mentions: bigint[],
  mentionEveryone: MessageRow['mentionEveryone'],
  editedAt: Date,
): Promise<MessageRow | undefined> {
  const [row] = await db
    .update(messages)
    .set({ content, mentions, mentionEveryone, editedAt })
    .where(eq(messages.id, id))
    .returning(messageColumns);
  return row;
}

/** An edited message's `message_mentions` rows: those of its new mentions (the author's own left out). */
export async function replaceMentions(db: Db, row: MessageRow): Promise<void> {
  await db.delete(messageMentions).where(eq(messageMentions.messageId, row.id));
  const rows = row.mentions
    .filter((userId) => userId !== row.authorId)
    .map((userId) => ({ userId, channelId: row.channelId, messageId: row.id }));
  if (rows.length > 0) await db.insert(messageMentions).values(rows).onConflictDoNothing();
}

/**
 * Deletes a message, in the caller's transaction; when it was its channel's head, the head becomes
 * the newest message left (no head row when none is). The head row is locked first, then the newest
 * message is looked up by a statement of its own: under READ COMMITTED its snapshot is taken after
 * the lock, so it sees every group commit that moved the head before us, and one that comes after
 * waits for our commit and re-checks its forward-only condition against the head we wrote (see
 * docs/ARCHITECTURE.md, "Read state and mentions").
 */
export async function deleteMessage(db: Db, channelId: bigint, id: bigint): Promise<boolean> {
  const gone = await db.delete(messages).where(eq(messages.id, id)).returning({ id: messages.id });
  if (gone.length === 0) return false;
  const [head] = await db
    .select({ lastMessageId: channelHeads.lastMessageId })
    .from(channelHeads)
    .where(eq(channelHeads.channelId, channelId))
    .for('update');
  if (head?.lastMessageId !== id) return true;
  const channel = sql`${channelId.toString()}::bigint`;
  await db.execute(
    sql`with newest as (
          select m.id, m.author_id from messages m where m.channel_id = ${channel} order by m.id desc limit 1
        ), moved as (
          update channel_heads h set last_message_id = n.id, author_id = n.author_id
          from newest n where h.channel_id = ${channel}
        )
        delete from channel_heads h where h.channel_id = ${channel} and not exists (select 1 from newest)`,
  );
  return true;
}

/** Members of the server whose (case-insensitive) names are among `names`. */
export async function membersNamed(db: Db, serverId: bigint, names: string[]): Promise<bigint[]> {
  if (names.length === 0) return [];
  const rows = await db
    .select({ id: users.id })
    .from(users)
    .innerJoin(serverMembers, and(eq(serverMembers.userId, users.id), eq(serverMembers.serverId, serverId)))
    .where(inArray(sql`lower(${users.username})`, names));
  return rows.map((r) => r.id);
}

export async function usersNamed(db: Db, ids: readonly bigint[], names: string[]): Promise<bigint[]> {
  if (names.length === 0 || ids.length === 0) return [];
  const rows = await db
    .select({ id: users.id })
    .from(users)
    .where(and(inArray(users.id, ids), inArray(sql`lower(${users.username})`, names)));
  return rows.map((r) => r.id);
}
