import { REPLY_SNAPSHOT_LENGTH } from '@decentra/protocol';
import { and, asc, desc, eq, getTableColumns, inArray, type SQL, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Db } from '../../storage/db.js';
import { preparedPerDb } from '../../storage/prepared.js';
import type { MessageRow } from '../../storage/rows.js';
import {
  attachments,
  channelHeads,
  channels,
  mentionHeads,
  messageMentions,
  messagePins,
  messages,
  serverMembers,
  users,
} from '../../storage/schema.js';

/** What a reply shows of the message it answers (its content already cut to the snapshot length). */
export interface ReplySnapshot {
  author: AuthorRow;
  content: string;
  /** How many files the original has. */
  files: number;
  /** The original is a call's record. */
  call: boolean;
}

/** An author as messages show them (the avatar from the same join). */
export interface AuthorRow {
  id: bigint;
  username: string;
  avatarHash?: string | null;
}

export interface MessageWithAuthor {
  message: MessageRow;
  author: AuthorRow;
  /** The original of a reply; null when it is gone (or the message is no reply). */
  original?: ReplySnapshot | null;
  pinned?: boolean;
}

/** Every column but the search lexemes, which history and writes never need to carry back. */
const { searchVector: _lexemes, ...messageColumns } = getTableColumns(messages);

const original = alias(messages, 'original');
const originalAuthor = alias(users, 'original_author');

/** A message with its author, its reply's original (resolved in the same query) and its pin. */
const withAuthor = {
  message: messageColumns,
  author: { id: users.id, username: users.username, avatarHash: users.avatarHash },
  originalId: original.id,
  originalContent: sql<string | null>`left(${original.content}, ${sql.raw(String(REPLY_SNAPSHOT_LENGTH))})`,
  originalAuthorId: originalAuthor.id,
  originalAuthorName: originalAuthor.username,
  originalAuthorAvatar: originalAuthor.avatarHash,
  originalCall: sql<boolean>`(${original.callOutcome} is not null)`,
  // Counted only for a reply whose original is there (an index step on attachments_message_idx).
  originalFiles: sql<number>`(case when ${original.id} is null then 0 else
    (select count(*)::int from ${attachments} where ${attachments.messageId} = ${original.id}) end)`,
  pinned: sql<boolean>`exists (select 1 from ${messagePins} where ${messagePins.messageId} = ${messages.id})`,
};

function selectMessages(db: Db, where: SQL | undefined) {
  return db
    .select(withAuthor)
    .from(messages)
    .innerJoin(users, eq(users.id, messages.authorId))
    .leftJoin(original, and(eq(original.id, messages.replyToId), eq(original.channelId, messages.channelId)))
    .leftJoin(originalAuthor, eq(originalAuthor.id, original.authorId))
    .where(where)
    .$dynamic();
}

type Selected = Awaited<ReturnType<typeof selectMessages>>[number];

function withOriginal(r: Selected): MessageWithAuthor {
  const found =
    r.originalId !== null &&
    r.originalContent !== null &&
    r.originalAuthorId !== null &&
    r.originalAuthorName !== null
      ? {
          author: {
            id: r.originalAuthorId,
            username: r.originalAuthorName,
            avatarHash: r.originalAuthorAvatar,
          },
          content: r.originalContent,
          files: r.originalFiles,
          call: r.originalCall === true,
        }
      : null;
  return { message: r.message, author: r.author, original: found, pinned: r.pinned };
}

export type NewMessageRow = typeof messages.$inferInsert & { id: bigint };

/**
 * New messages, in one statement. A row whose author already used its nonce is left out of the
 * answer (the first message with that nonce stands). The `message_mentions` rows of the messages
 * stored (one per mentioned user other than the author) are written by a data-modifying CTE of the
 * same statement: no round trip more, and none for a row the nonce left out. Their foreign key to
 * `messages` is checked at the end of the statement, when the rows it refers to are there.
 * A third CTE moves the `channel_heads` of the channels written to their newest row stored: in
 * channel-id order, so that two instances' statements lock the heads they share in one order (no
 * deadlock), and forward only (the instances' snowflakes interleave; a head never goes back); the
 * newest `@everyone` of each channel rides along. A fourth does the same for `mention_heads`, the
 * newest message naming each user, in (user, channel) order. PostgreSQL runs the CTEs the main
 * query does not read last-listed first, so `heads` locks before `mention_gates`, the order an
 * edit takes them in (`replaceMentions`): no deadlock between the two.
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
    sql`insert into ${channelHeads} (channel_id, last_message_id, author_id, last_everyone_id)
        select i.channel_id, max(i.id), (array_agg(i.author_id order by i.id desc))[1],
          max(i.id) filter (where i.mention_everyone is not null)
        from inserted i group by i.channel_id order by i.channel_id
        on conflict (channel_id) do update
          set last_message_id = greatest(${channelHeads}.last_message_id, excluded.last_message_id),
            author_id = case when excluded.last_message_id > ${channelHeads}.last_message_id
              then excluded.author_id else ${channelHeads}.author_id end,
            last_everyone_id = greatest(${channelHeads}.last_everyone_id, excluded.last_everyone_id)
          where ${channelHeads}.last_message_id < excluded.last_message_id
            or excluded.last_everyone_id > coalesce(${channelHeads}.last_everyone_id, 0)`,
  );
  const mentionGates = db.$with('mention_gates', {}).as(
    sql`insert into ${mentionHeads} (user_id, channel_id, last_mention_id)
        select m.user_id, i.channel_id, max(i.id)
        from inserted i cross join lateral unnest(i.mentions) as m(user_id)
        where m.user_id <> i.author_id
        group by m.user_id, i.channel_id order by m.user_id, i.channel_id
        on conflict (user_id, channel_id) do update set last_mention_id = excluded.last_mention_id
          where ${mentionHeads}.last_mention_id < excluded.last_mention_id`,
  );
  return db.with(inserted, mentioned, mentionGates, heads).select().from(inserted);
}

export async function findByNonce(
  db: Db,
  authorId: bigint,
  nonce: string,
): Promise<MessageWithAuthor | undefined> {
  const [row] = await selectMessages(db, and(eq(messages.authorId, authorId), eq(messages.nonce, nonce)));
  return row && withOriginal(row);
}

export async function findMessage(
  db: Db,
  channelId: bigint,
  id: bigint,
): Promise<MessageWithAuthor | undefined> {
  const [row] = await selectMessages(db, and(eq(messages.channelId, channelId), eq(messages.id, id)));
  return row && withOriginal(row);
}

/** Which way a history read walks the (channel_id, id) index from where. */
type HistoryWalk = 'newest' | 'before' | 'after' | 'between' | 'from';

const HISTORY_WALKS: Record<HistoryWalk, { bound: SQL | undefined; order: 'asc' | 'desc' }> = {
  newest: { bound: undefined, order: 'desc' },
  before: { bound: sql`and p.id < ${sql.placeholder('before')}`, order: 'desc' },
  after: { bound: sql`and p.id > ${sql.placeholder('after')}`, order: 'asc' },
  between: {
    bound: sql`and p.id > ${sql.placeholder('after')} and p.id < ${sql.placeholder('before')}`,
    order: 'asc',
  },
  from: { bound: sql`and p.id >= ${sql.placeholder('after')}`, order: 'asc' },
};

/**
 * The history reads, prepared (see `preparedPerDb`): a page is what clients ask for most, and
 * PostgreSQL plans its joins for longer than it runs them. A statement per walk and page size:
 * the page's ids come from a subquery whose limit is a constant, so the generic plan PostgreSQL
 * caches after a few calls is the one a custom plan picks (with `limit $n` it assumes a tenth of
 * the table and plans a parallel scan). At most 5 × MAX_HISTORY_PAGE statements per connection.
 */
const historyStatementsOf = preparedPerDb((db) => {
  const made = new Map<string, ReturnType<typeof prepareWalk>>();
  const prepareWalk = (walk: HistoryWalk, limit: number) => {
    const { bound, order } = HISTORY_WALKS[walk];
    const ids = sql`${messages.id} in (select p.id from ${messages} p
      where p.channel_id = ${sql.placeholder('channelId')} ${bound ?? sql``}
      order by p.id ${sql.raw(order)} limit ${sql.raw(String(limit))})`;
    return selectMessages(db, ids)
      .orderBy(order === 'asc' ? asc(messages.id) : desc(messages.id))
      .prepare(`history_${walk}_${limit}`);
  };
  return (walk: HistoryWalk, limit: number) => {
    const key = `${walk}:${limit}`;
    const cached = made.get(key);
    if (cached) return cached;
    const statement = prepareWalk(walk, limit);
    made.set(key, statement);
    return statement;
  };
});

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
  const newer = await historyStatementsOf(db)('from', limit - olderCount).execute({
    channelId: channelId.toString(),
    after: around.toString(),
  });
  return [...older, ...newer.map(withOriginal)];
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
  const statement = historyStatementsOf(db);
  const channel = { channelId: channelId.toString() };
  if (page.after !== undefined) {
    const after = { ...channel, after: page.after.toString() };
    const rows =
      page.before === undefined
        ? await statement('after', page.limit).execute(after)
        : await statement('between', page.limit).execute({ ...after, before: page.before.toString() });
    return rows.map(withOriginal);
  }
  const rows =
    page.before === undefined
      ? await statement('newest', page.limit).execute(channel)
      : await statement('before', page.limit).execute({ ...channel, before: page.before.toString() });
  return rows.map(withOriginal).reverse();
}

export async function updateContent(
  db: Db,
  id: bigint,
  content: string,
  mentions: bigint[],
  mentionEveryone: MessageRow['mentionEveryone'],
  editedAt: Date,
  embeds: MessageRow['embeds'],
): Promise<MessageRow | undefined> {
  const [row] = await db
    .update(messages)
    .set({ content, mentions, mentionEveryone, editedAt, embeds })
    .where(eq(messages.id, id))
    .returning(messageColumns);
  return row;
}

/** A message's link previews, if its text is still the one they were made for (an edit may have come first). */
export async function updateEmbeds(
  db: Db,
  id: bigint,
  forContent: string,
  embeds: MessageRow['embeds'],
): Promise<MessageRow | undefined> {
  const [row] = await db
    .update(messages)
    .set({ embeds })
    .where(and(eq(messages.id, id), eq(messages.content, forContent)))
    .returning(messageColumns);
  return row;
}

/**
 * An edited message's `message_mentions` rows: those of its new mentions (the author's own left
 * out); the gates of its channel's head (@everyone) and of the users it now names are opened.
 */
export async function replaceMentions(db: Db, row: MessageRow): Promise<void> {
  await db.delete(messageMentions).where(eq(messageMentions.messageId, row.id));
  const rows = row.mentions
    .filter((userId) => userId !== row.authorId)
    .map((userId) => ({ userId, channelId: row.channelId, messageId: row.id }));
  if (row.mentionEveryone !== null) {
    await db
      .update(channelHeads)
      .set({ lastEveryoneId: sql`greatest(${channelHeads.lastEveryoneId}, ${row.id.toString()}::bigint)` })
      .where(eq(channelHeads.channelId, row.channelId));
  }
  if (rows.length === 0) return;
  await db.insert(messageMentions).values(rows).onConflictDoNothing();
  await db
    .insert(mentionHeads)
    .values(rows.map(({ userId, channelId, messageId }) => ({ userId, channelId, lastMentionId: messageId })))
    .onConflictDoUpdate({
      target: [mentionHeads.userId, mentionHeads.channelId],
      set: { lastMentionId: sql`excluded.last_mention_id` },
      setWhere: sql`${mentionHeads.lastMentionId} < excluded.last_mention_id`,
    });
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

/**
 * The message a reply would answer: in this channel, with its author, content cut to the snapshot,
 * and whether that author can still be mentioned there (a DM's end, or a member of the server).
 */
export async function findReplyTarget(
  db: Db,
  channelId: bigint,
  id: bigint,
): Promise<(ReplySnapshot & { mentionable: boolean }) | undefined> {
  const [row] = await db
    .select({
      authorId: messages.authorId,
      username: users.username,
      avatarHash: users.avatarHash,
      content: sql<string>`left(${messages.content}, ${sql.raw(String(REPLY_SNAPSHOT_LENGTH))})`,
      call: sql<boolean>`(${messages.callOutcome} is not null)`,
      files: sql<number>`(select count(*)::int from ${attachments} where ${attachments.messageId} = ${messages.id})`,
      mentionable: sql<boolean>`(${channels.serverId} is null or exists (
        select 1 from ${serverMembers} sm where sm.server_id = ${channels.serverId} and sm.user_id = ${messages.authorId}))`,
    })
    .from(messages)
    .innerJoin(users, eq(users.id, messages.authorId))
    .innerJoin(channels, eq(channels.id, messages.channelId))
    .where(and(eq(messages.channelId, channelId), eq(messages.id, id)));
  if (!row) return undefined;
  return {
    author: { id: row.authorId, username: row.username, avatarHash: row.avatarHash },
    content: row.content,
    files: row.files,
    call: row.call === true,
    mentionable: row.mentionable,
  };
}

/** Messages of a channel by id, each with its reply's original and pin (one query). */
export async function messagesByIds(db: Db, channelId: bigint, ids: bigint[]): Promise<MessageWithAuthor[]> {
  if (ids.length === 0) return [];
  const rows = await selectMessages(db, and(eq(messages.channelId, channelId), inArray(messages.id, ids)));
  return rows.map(withOriginal);
}
