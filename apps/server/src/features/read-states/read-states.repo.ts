import { MENTION_COUNT_CAP, type ReadState } from '@decentra/protocol';
import { and, eq, type SQL, sql } from 'drizzle-orm';
import { type Db, executeRows } from '../../storage/db.js';
import { notificationOverrides } from '../../storage/schema.js';

/** A channel's read state as the queries answer it (ids as text: bigints keep every digit). */
export interface ReadStateRow {
  channel_id: string;
  last_read_id: string | null;
  last_message_id: string | null;
  mention_count: number;
}

export type OverrideRow = typeof notificationOverrides.$inferSelect;

const big = (value: bigint) => sql`${value.toString()}::bigint`;

/**
 * The newest message by someone other than `userId` in the channel `channel` (an SQL expression):
 * one backward step on the (channel_id, id) index, past the user's own newest messages. Call records
 * count (a missed call makes a DM unread).
 */
const lastMessageBy = (userId: bigint, channel: SQL) =>
  sql`(select m.id from messages m where m.channel_id = ${channel} and m.author_id <> ${big(userId)}
       order by m.id desc limit 1)`;

/**
 * The same from the channel's head `h` (a `channel_heads` row, joined): the head itself when
 * someone else wrote it, a probe only when the user did (a CASE runs its subquery only for that
 * branch), none when there is no head (no messages).
 */
const lastMessageFromHead = (userId: bigint, channel: SQL) =>
  sql`case when h.channel_id is null then null when h.author_id <> ${big(userId)} then h.last_message_id
       else ${lastMessageBy(userId, channel)} end`;

/**
 * (The same rules as migration 0020's `decentra_unread_states`, for one channel.)
 * Unread messages that mention `userId` in the channel, after `lastRead` (an SQL expression, null
 * when never read), counted up to MENTION_COUNT_CAP. Each part reads at most the cap's rows however
 * much is unread: in a server channel, the user's `message_mentions` range (the message_mentions key)
 * and the `@everyone`/`@here` messages by others (the partial index; one that also names the user is
 * counted once); in a DM, every unread message of the other person. A server channel's parts run
 * only when their gate is past the mark: `lastMention` (the user's `mention_heads` row, joined) and
 * `lastEveryone` (the channel head's), so an unread channel nobody mentioned the user in costs no probe.
 */
const mentionCount = (
  userId: bigint,
  channel: SQL,
  isDm: SQL,
  lastRead: SQL,
  gates: { lastMention: SQL; lastEveryone: SQL },
) => {
  const cap = sql.raw(String(MENTION_COUNT_CAP));
  const after = sql`coalesce(${lastRead}, 0)`;
  const me = big(userId);
  return sql`least(${cap}, case when ${isDm} then
      (select count(*) from (select 1 from messages m where m.channel_id = ${channel} and m.id > ${after}
         and m.author_id <> ${me} limit ${cap}) dm)
    else
      case when ${gates.lastMention} > ${after} then
        (select count(*) from (select 1 from message_mentions mm where mm.user_id = ${me}
           and mm.channel_id = ${channel} and mm.message_id > ${after} limit ${cap}) named)
      else 0 end
      + case when ${gates.lastEveryone} > ${after} then
        (select count(*) from (select 1 from messages m where m.channel_id = ${channel}
           and m.mention_everyone is not null and m.id > ${after} and m.author_id <> ${me}
           and not (${me} = any (m.mentions)) limit ${cap}) everyone)
      else 0 end
    end)::int`;
};

/** One channel's read state for `userId` (whether they may read it is the caller's check). */
export async function readStateOf(
  db: Db,
  userId: bigint,
  channelId: bigint,
  isDm: boolean,
): Promise<ReadStateRow> {
  const channel = big(channelId);
  const [row] = await executeRows<ReadStateRow>(
    db,
    sql`select ${channelId.toString()} as channel_id, rs.last_read_id::text as last_read_id,
          ${lastMessageFromHead(userId, channel)}::text as last_message_id,
          ${mentionCount(userId, channel, sql`${isDm}::boolean`, sql`rs.last_read_id`, {
            lastMention: sql`mh.last_mention_id`,
            lastEveryone: sql`h.last_everyone_id`,
          })} as mention_count
        from (select 1) as one
        left join read_states rs on rs.user_id = ${big(userId)} and rs.channel_id = ${channel}
        left join channel_heads h on h.channel_id = ${channel}
        left join mention_heads mh on mh.user_id = ${big(userId)} and mh.channel_id = ${channel}`,
  );
  if (!row) throw new Error('the read state query answered no row');
  return row;
}

/** An override as `readyReadStates` answers it (JSON: the time is text). */
export interface OverrideJson {
  targetId: string;
  mode: OverrideRow['mode'];
  muted: boolean;
  mutedUntil: string | null;
}

/** `ready`'s read-state part of one user: unread states and visible overrides. */
export interface ReadyReadStates {
  states: ReadState[];
  overrides: OverrideJson[];
}

/**
 * `ready`'s part for several users in one statement, a row each: the unread states (migration
 * 0020's function, as one text) and the visible overrides (0019's, a JSON array in the wire's
 * shape); the functions' plans are kept by the session. The embedded engine runs one statement at
 * a time, pays for every row returned and plans in WebAssembly: one statement, a row per user, one
 * plan (bench:ready); the ids go in as one bigint[], so the text is the same for any batch.
 */
export async function readyReadStates(
  db: Db,
  userIds: readonly bigint[],
): Promise<Map<bigint, ReadyReadStates>> {
  const rows = await executeRows<{ user_id: string; states: string; overrides: OverrideJson[] }>(
    db,
    sql`select u::text as user_id, decentra_unread_states(u) as states,
          decentra_visible_overrides(u) as overrides
        from unnest(${`{${userIds.join(',')}}`}::bigint[]) as u`,
  );
  return new Map(
    rows.map((row) => [
      BigInt(row.user_id),
      { states: parseUnreadStates(row.states), overrides: row.overrides },
    ]),
  );
}

/** decentra_unread_states' text: 'channel,lastRead,lastMessage,mentions' joined by ';' (lastRead empty: never read). */
function parseUnreadStates(text: string): ReadState[] {
  if (text === '') return [];
  return text.split(';').map((entry) => {
    const [channelId = '', lastReadId = '', lastMessageId = '', mentions = '0'] = entry.split(',');
    return {
      channelId,
      lastReadId: lastReadId === '' ? null : lastReadId,
      lastMessageId,
      mentionCount: Number(mentions),
    };
  });
}

/**
 * Everything up to `messageId` is read, clamped to the channel's newest message (an id from the
 * future means "all of it"); never back: the row changes only when the new mark is later. Nothing
 * is stored for a channel without messages. True when the mark moved.
 */
export async function advanceReadState(
  db: Db,
  userId: bigint,
  channelId: bigint,
  messageId: bigint,
  now: Date,
): Promise<boolean> {
  const rows = await executeRows<{ last_read_id: string }>(
    db,
    sql`insert into read_states (user_id, channel_id, last_read_id, updated_at)
        select ${big(userId)}, ${big(channelId)}, least(${big(messageId)}, newest.id),
          ${now.toISOString()}::timestamptz
        from (select m.id from messages m where m.channel_id = ${big(channelId)}
              order by m.id desc limit 1) newest
        on conflict (user_id, channel_id) do update
          set last_read_id = excluded.last_read_id, updated_at = excluded.updated_at
          where read_states.last_read_id < excluded.last_read_id
        returning last_read_id::text`,
  );
  return rows.length > 0;
}

/** Whether an id is a server or a channel (ids are snowflakes of one generator: never both). */
export async function targetKind(db: Db, targetId: bigint): Promise<'server' | 'channel' | undefined> {
  const [row] = await executeRows<{ kind: 'server' | 'channel' }>(
    db,
    sql`select 'server' as kind from servers where id = ${big(targetId)}
        union all select 'channel' from channels where id = ${big(targetId)}`,
  );
  return row?.kind;
}

export async function findOverride(
  db: Db,
  userId: bigint,
  targetId: bigint,
): Promise<OverrideRow | undefined> {
  const [row] = await db
    .select()
    .from(notificationOverrides)
    .where(and(eq(notificationOverrides.userId, userId), eq(notificationOverrides.targetId, targetId)))
    .for('update');
  return row;
}

export async function writeOverride(
  db: Db,
  row: Omit<OverrideRow, 'updatedAt'> & { updatedAt: Date },
): Promise<OverrideRow> {
  const { userId, targetId, ...change } = row;
  const [written] = await db
    .insert(notificationOverrides)
    .values(row)
    .onConflictDoUpdate({
      target: [notificationOverrides.userId, notificationOverrides.targetId],
      set: change,
    })
    .returning();
  if (!written) throw new Error('the override upsert answered no row');
  return written;
}

export async function deleteOverride(db: Db, userId: bigint, targetId: bigint): Promise<void> {
  await db
    .delete(notificationOverrides)
    .where(and(eq(notificationOverrides.userId, userId), eq(notificationOverrides.targetId, targetId)));
}

/** The user's overrides whose targets they can still see (migration 0019's function). */
export async function visibleOverrides(db: Db, userId: bigint): Promise<OverrideJson[]> {
  const [row] = await executeRows<{ overrides: OverrideJson[] }>(
    db,
    sql`select decentra_visible_overrides(${big(userId)}) as overrides`,
  );
  return row?.overrides ?? [];
}

/** A member gone from a server: their read states, mention gates and overrides of it and its channels go too. */
export async function forgetMemberRows(db: Db, serverId: bigint, userId: bigint): Promise<void> {
  const server = big(serverId);
  const me = big(userId);
  await db.execute(
    sql`with states as (
          delete from read_states where user_id = ${me}
            and channel_id in (select id from channels where server_id = ${server})
        ), gates as (
          delete from mention_heads where user_id = ${me}
            and channel_id in (select id from channels where server_id = ${server})
        )
        delete from notification_overrides where user_id = ${me}
          and (target_id = ${server} or target_id in (select id from channels where server_id = ${server}))`,
  );
}

/** A channel deleted: everyone's override of it (its read states went with it, by foreign key). */
export async function forgetChannelRows(db: Db, channelId: bigint): Promise<void> {
  await db.delete(notificationOverrides).where(eq(notificationOverrides.targetId, channelId));
}

/**
 * A server deleted: everyone's override of it, and those of its channels, which are gone by now
 * (overrides whose target no longer exists; a server deletion is rare enough for that scan).
 */
export async function forgetServerRows(db: Db, serverId: bigint): Promise<void> {
  await db.execute(
    sql`delete from notification_overrides o where o.target_id = ${big(serverId)}
        or (not exists (select 1 from channels c where c.id = o.target_id)
            and not exists (select 1 from servers s where s.id = o.target_id))`,
  );
}

/** An account deleted: its read states, overrides and unread mentions are forgotten. */
export async function forgetUserRows(db: Db, userId: bigint): Promise<void> {
  const me = big(userId);
  await db.execute(
    sql`with states as (delete from read_states where user_id = ${me}),
          mentions as (delete from message_mentions where user_id = ${me}),
          gates as (delete from mention_heads where user_id = ${me})
        delete from notification_overrides where user_id = ${me}`,
  );
}
