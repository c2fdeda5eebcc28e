import { and, desc, eq, getTableColumns, gte, lt, type SQL, sql } from 'drizzle-orm';
import type { Db } from '../../storage/db.js';
import type { MessageRow } from '../../storage/rows.js';
import { channelHeads, channels, messages, users } from '../../storage/schema.js';

/** Where a search looks: a server's channels (or one of them), or one channel. */
export type SearchScope =
  | { serverId: bigint; channelId?: bigint }
  | { serverId?: undefined; channelId: bigint };

/** A parsed query in the database's terms. */
export interface SearchConditions {
  /** Free text for websearch_to_tsquery('simple', …); undefined when there is none. */
  text?: string;
  authorId?: bigint;
  hasLink: boolean;
  hasImage: boolean;
  /** Id bounds from before:/after: (ids are time-ordered) and the page cursor: id < before, id >= after. */
  beforeId?: bigint;
  afterId?: bigint;
}

export interface SearchRow {
  message: MessageRow;
  author: { id: bigint; username: string; avatarHash: string | null };
  channel: { id: bigint; serverId: bigint | null; type: 'text' | 'voice' | 'dm'; name: string };
}

const { searchVector: _lexemes, ...messageColumns } = getTableColumns(messages);

function where(scope: SearchScope, c: SearchConditions): SQL | undefined {
  const conditions: (SQL | undefined)[] = [
    scope.channelId === undefined ? undefined : eq(messages.channelId, scope.channelId),
    scope.serverId === undefined ? undefined : eq(channels.serverId, scope.serverId),
    c.text === undefined
      ? undefined
      : sql`${messages.searchVector} @@ websearch_to_tsquery('simple', ${c.text})`,
    c.authorId === undefined ? undefined : eq(messages.authorId, c.authorId),
    c.hasLink ? eq(messages.hasLink, true) : undefined,
    c.hasImage ? eq(messages.hasImage, true) : undefined,
    c.beforeId === undefined ? undefined : lt(messages.id, c.beforeId),
    c.afterId === undefined ? undefined : gte(messages.id, c.afterId),
  ];
  return and(...conditions);
}

/** Up to `limit` matches, newest first, on the indexes: GIN for words, (channel_id, id), (author_id, id), the key. */
export async function searchPage(
  db: Db,
  scope: SearchScope,
  conditions: SearchConditions,
  limit: number,
): Promise<SearchRow[]> {
  return db
    .select({
      message: messageColumns,
      author: { id: users.id, username: users.username, avatarHash: users.avatarHash },
      channel: { id: channels.id, serverId: channels.serverId, type: channels.type, name: channels.name },
    })
    .from(messages)
    .innerJoin(channels, eq(channels.id, messages.channelId))
    .innerJoin(users, eq(users.id, messages.authorId))
    .where(where(scope, conditions))
    .orderBy(desc(messages.id))
    .limit(limit);
}

/** A text channel of the server by name (case-insensitive). */
export async function textChannelNamed(db: Db, serverId: bigint, name: string): Promise<bigint | undefined> {
  const [row] = await db
    .select({ id: channels.id })
    .from(channels)
    .where(
      and(
        eq(channels.serverId, serverId),
        eq(channels.type, 'text'),
        sql`lower(${channels.name}) = lower(${name})`,
      ),
    )
    .orderBy(channels.id)
    .limit(1);
  return row?.id;
}

export async function userByKey(db: Db, key: string): Promise<bigint | undefined> {
  const [row] = await db.select({ id: users.id }).from(users).where(eq(users.usernameKey, key));
  return row?.id;
}

/** The newest message id of the scope, from `channel_heads` (one row per channel): where windows start. */
export async function newestInScope(db: Db, scope: SearchScope): Promise<bigint | undefined> {
  const [row] = await db
    .select({ newest: sql<string | null>`max(${channelHeads.lastMessageId})::text` })
    .from(channelHeads)
    .innerJoin(channels, eq(channels.id, channelHeads.channelId))
    .where(
      and(
        scope.channelId === undefined ? undefined : eq(channels.id, scope.channelId),
        scope.serverId === undefined ? undefined : eq(channels.serverId, scope.serverId),
      ),
    );
  return row?.newest == null ? undefined : BigInt(row.newest);
}
