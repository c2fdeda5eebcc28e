import { and, eq } from 'drizzle-orm';
import type { Db } from '../../storage/db.js';
import type { ChannelRow, DmRow, MemberRow, ServerRow } from '../../storage/rows.js';
import { channels, dmChannels, serverMembers, servers } from '../../storage/schema.js';

/**
 * A server and the caller's membership row, if they are a member. With `lock`, the membership
 * row is locked for share until the transaction ends, so that a permission being withdrawn (or a
 * kick) waits for the change that was allowed by it, and never interleaves with it.
 */
export async function findMembership(
  db: Db,
  serverId: bigint,
  userId: bigint,
  lock = false,
): Promise<{ server: ServerRow; member: MemberRow } | undefined> {
  const query = db
    .select({ server: servers, member: serverMembers })
    .from(servers)
    .innerJoin(serverMembers, and(eq(serverMembers.serverId, servers.id), eq(serverMembers.userId, userId)))
    .where(eq(servers.id, serverId));
  const [row] = lock ? await query.for('share', { of: serverMembers }) : await query;
  return row;
}

/**
 * A channel by id. With `lock` (inside a transaction), its row is held for key share until the
 * transaction ends: its deletion (or its server's) waits, and a deletion under way is waited for.
 */
export async function findChannel(db: Db, channelId: bigint, lock = false): Promise<ChannelRow | undefined> {
  const query = db.select().from(channels).where(eq(channels.id, channelId));
  const [channel] = lock ? await query.for('key share') : await query;
  return channel;
}

export async function findDm(db: Db, channelId: bigint): Promise<DmRow | undefined> {
  const [row] = await db.select().from(dmChannels).where(eq(dmChannels.channelId, channelId));
  return row;
}
