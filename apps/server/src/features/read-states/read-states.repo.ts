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

/**
 * Every channel of the user with something unread, in one statement: the text channels of their
 * servers and their DMs, each with its read state and its head (two primary-key lookups); the
 * newest message by someone else is the head, or one index step when the user wrote the head; the
 * mention counts are computed for the unread ones only.
 */
/** An override as `readyReadStates` answers it (JSON: the time is text). */
export interface OverrideJson {
  targetId: string;
  mode: OverrideRow['mode'];
  muted: boolean;
  mutedUntil: string | null;
}

/**
 * `ready`'s part in one statement answering one row: the unread states (`unreadStatesQuery`) and the
 * visible overrides (`visibleOverridesWhere`), each as one JSON array in the wire's shape. The
 * embedded engine's cost is mostly per row returned: 400 states as rows cost about twice what the
 * same as one JSON value does (bench:ready measures both), and it runs one statement at a time.
 */
export async function readyReadStates(
  db: Db,
  userId: bigint,
): Promise<{ states: ReadState[]; overrides: OverrideJson[] }> {
  const o = notificationOverrides;
  const [row] = await executeRows<{ states: ReadState[]; overrides: OverrideJson[] }>(
    db,
    sql`select
        (select coalesce(json_agg(json_build_object('channelId', u.channel_id, 'lastReadId', u.last_read_id,
            'lastMessageId', u.last_message_id, 'mentionCount', u.mention_count) order by u.channel_id::bigint), '[]')
          from (${unreadStatesQuery(userId)}) u) as states,
        (select coalesce(json_agg(json_build_object('targetId', ${o.targetId}::text, 'mode', ${o.mode},
            'muted', ${o.muted}, 'mutedUntil', ${o.mutedUntil}) order by ${o.targetId}), '[]')
          from ${o} where ${visibleOverridesWhere(userId)}) as overrides`,
  );
  if (!row) throw new Error('the ready read-state query answered no row');
  return row;
}

/** The statement of `unreadStates` (bench/ready.ts explains it). */
export function unreadStatesQuery(userId: bigint): SQL {
  const me = big(userId);
  // A channel whose head is not past the mark has nothing unread (the newest message by others is
  // not later than the head): that test needs no probe, and the CASE probes only own heads.
  return sql`with mine as (
          select c.id, false as dm from server_members sm
            join channels c on c.server_id = sm.server_id and c.type = 'text'
            where sm.user_id = ${me}
          union all select d.channel_id, true from dm_channels d where d.user_low = ${me}
          union all select d.channel_id, true from dm_channels d where d.user_high = ${me}
        ), states as materialized (
          select mine.id, mine.dm, rs.last_read_id, newest.id as last_message_id,
            mh.last_mention_id, h.last_everyone_id
          from mine
          join channel_heads h on h.channel_id = mine.id
          left join read_states rs on rs.user_id = ${me} and rs.channel_id = mine.id
          left join mention_heads mh on mh.user_id = ${me} and mh.channel_id = mine.id
          cross join lateral (select ${lastMessageFromHead(userId, sql`mine.id`)} offset 0) as newest(id)
          where h.last_message_id > coalesce(rs.last_read_id, 0) and newest.id > coalesce(rs.last_read_id, 0)
        )
        select s.id::text as channel_id, s.last_read_id::text as last_read_id,
          s.last_message_id::text as last_message_id,
          ${mentionCount(userId, sql`s.id`, sql`s.dm`, sql`s.last_read_id`, {
            lastMention: sql`s.last_mention_id`,
            lastEveryone: sql`s.last_everyone_id`,
          })} as mention_count
        from states s`;
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

/**
 * The user's overrides whose targets they can still see: a server they are a member of, a text
 * channel of one, a DM of theirs (each a primary-key or index lookup per override).
 */
function visibleOverridesWhere(userId: bigint): SQL {
  const me = big(userId);
  const o = notificationOverrides;
  return sql`${o.userId} = ${me} and (
      exists (select 1 from server_members sm where sm.server_id = ${o.targetId} and sm.user_id = ${me})
      or exists (select 1 from channels c join server_members sm
                   on sm.server_id = c.server_id and sm.user_id = ${me}
                 where c.id = ${o.targetId} and c.type = 'text')
      or exists (select 1 from dm_channels d where d.channel_id = ${o.targetId}
                 and (d.user_low = ${me} or d.user_high = ${me})))`;
}

export async function visibleOverrides(db: Db, userId: bigint): Promise<OverrideRow[]> {
  const o = notificationOverrides;
  return db.select().from(o).where(visibleOverridesWhere(userId)).orderBy(o.targetId);
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
