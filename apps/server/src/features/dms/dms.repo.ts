import { and, asc, eq, or, sql } from 'drizzle-orm';
import type { Db } from '../../storage/db.js';
import { preparedPerDb } from '../../storage/prepared.js';
import type { DmRow } from '../../storage/rows.js';
import { channels, dmChannels, users } from '../../storage/schema.js';

export const pairOf = (a: bigint, b: bigint) =>
  a < b ? { userLow: a, userHigh: b } : { userLow: b, userHigh: a };

export async function findDmByPair(db: Db, a: bigint, b: bigint): Promise<DmRow | undefined> {
  const { userLow, userHigh } = pairOf(a, b);
  const [row] = await db
    .select()
    .from(dmChannels)
    .where(and(eq(dmChannels.userLow, userLow), eq(dmChannels.userHigh, userHigh)));
  return row;
}

/** Creates the pair's DM unless it exists; undefined when another request made it first. */
export async function insertDm(
  db: Db,
  channelId: bigint,
  a: bigint,
  b: bigint,
  name: string,
): Promise<DmRow | undefined> {
  await db.insert(channels).values({ id: channelId, serverId: null, type: 'dm', name });
  const [row] = await db
    .insert(dmChannels)
    .values({ channelId, ...pairOf(a, b) })
    .onConflictDoNothing()
    .returning();
  return row;
}

/** The DMs of each of these users (several at once: the `ready`s of one turn), by channel id. */
/** `ready`'s reads are prepared (see `preparedPerDb`): one text for any number of users. */
const dmsOfUsersStatement = preparedPerDb((db) =>
  db
    .select()
    .from(dmChannels)
    .where(
      or(
        sql`${dmChannels.userLow} = any(${sql.placeholder('ids')}::bigint[])`,
        sql`${dmChannels.userHigh} = any(${sql.placeholder('ids')}::bigint[])`,
      ),
    )
    .orderBy(asc(dmChannels.channelId))
    .prepare('dms_of_users'),
);

const usernamesStatement = preparedPerDb((db) =>
  db
    .select({ id: users.id, username: users.username, avatarHash: users.avatarHash })
    .from(users)
    .where(sql`${users.id} = any(${sql.placeholder('ids')}::bigint[])`)
    .prepare('usernames'),
);

export async function dmsOfUsers(db: Db, userIds: bigint[]): Promise<Map<bigint, DmRow[]>> {
  const rows = await dmsOfUsersStatement(db).execute({ ids: userIds.map(String) });
  const wanted = new Set(userIds);
  const out = new Map<bigint, DmRow[]>();
  for (const row of rows) {
    for (const end of row.userLow === row.userHigh ? [row.userLow] : [row.userLow, row.userHigh]) {
      if (!wanted.has(end)) continue;
      const list = out.get(end);
      if (list) list.push(row);
      else out.set(end, [row]);
    }
  }
  return out;
}

/** The names (and avatars) of these users, by id. */
export async function usernames(
  db: Db,
  ids: bigint[],
): Promise<Map<bigint, { username: string; avatarHash: string | null }>> {
  if (ids.length === 0) return new Map();
  const rows = await usernamesStatement(db).execute({ ids: ids.map(String) });
  return new Map(rows.map((r) => [r.id, r]));
}
