import { and, asc, eq, ne, sql } from 'drizzle-orm';
import { groupBy } from '../../kernel/read-batch.js';
import type { Db } from '../../storage/db.js';
import { preparedPerDb } from '../../storage/prepared.js';
import type { ChannelRow, MemberRow, ServerRow } from '../../storage/rows.js';
import { channels, serverMembers, servers } from '../../storage/schema.js';

export async function insertServer(db: Db, row: typeof servers.$inferInsert): Promise<ServerRow> {
  const [server] = await db.insert(servers).values(row).returning();
  if (!server) throw new Error('insert returned no server');
  return server;
}

/** Adds the member unless already there; undefined when they were. */
export async function insertMember(
  db: Db,
  row: typeof serverMembers.$inferInsert,
): Promise<MemberRow | undefined> {
  const [member] = await db.insert(serverMembers).values(row).onConflictDoNothing().returning();
  return member;
}

export async function insertChannels(db: Db, rows: (typeof channels.$inferInsert)[]): Promise<ChannelRow[]> {
  return db.insert(channels).values(rows).returning();
}

/** `ready`'s reads are prepared (see `preparedPerDb`): one text for any number of users. */
const channelsOfServersStatement = preparedPerDb((db) =>
  db
    .select()
    .from(channels)
    .where(sql`${channels.serverId} = any(${sql.placeholder('ids')}::bigint[])`)
    .orderBy(asc(channels.id))
    .prepare('channels_of_servers'),
);

export async function channelsOfServers(db: Db, serverIds: bigint[]): Promise<ChannelRow[]> {
  if (serverIds.length === 0) return [];
  return channelsOfServersStatement(db).execute({ ids: serverIds.map(String) });
}

const serversOfUsersStatement = preparedPerDb((db) =>
  db
    .select({ server: servers, member: serverMembers })
    .from(serverMembers)
    .innerJoin(servers, eq(servers.id, serverMembers.serverId))
    .where(sql`${serverMembers.userId} = any(${sql.placeholder('ids')}::bigint[])`)
    .orderBy(asc(serverMembers.joinedAt), asc(servers.id))
    .prepare('servers_of_users'),
);

/** `serversOfUser` for several users at once (the `ready`s of one turn), in the same order each. */
export async function serversOfUsers(
  db: Db,
  userIds: bigint[],
): Promise<Map<bigint, Array<{ server: ServerRow; member: MemberRow }>>> {
  const rows = await serversOfUsersStatement(db).execute({ ids: userIds.map(String) });
  return groupBy(rows, (r) => r.member.userId);
}

export async function serversOfUser(
  db: Db,
  userId: bigint,
): Promise<Array<{ server: ServerRow; member: MemberRow }>> {
  return db
    .select({ server: servers, member: serverMembers })
    .from(serverMembers)
    .innerJoin(servers, eq(servers.id, serverMembers.serverId))
    .where(eq(serverMembers.userId, userId))
    .orderBy(asc(serverMembers.joinedAt), asc(servers.id));
}

export async function findServer(db: Db, serverId: bigint): Promise<ServerRow | undefined> {
  const [server] = await db.select().from(servers).where(eq(servers.id, serverId));
  return server;
}

export async function renameServer(db: Db, serverId: bigint, name: string): Promise<ServerRow> {
  const [server] = await db.update(servers).set({ name }).where(eq(servers.id, serverId)).returning();
  if (!server) throw new Error('rename found no server');
  return server;
}

export async function deleteServer(db: Db, serverId: bigint): Promise<void> {
  await db.delete(servers).where(eq(servers.id, serverId));
}

export async function findMember(db: Db, serverId: bigint, userId: bigint): Promise<MemberRow | undefined> {
  const [member] = await db
    .select()
    .from(serverMembers)
    .where(and(eq(serverMembers.serverId, serverId), eq(serverMembers.userId, userId)));
  return member;
}

/** Locks the server row until the transaction ends (an ownership change decides on it). */
export async function lockServer(db: Db, serverId: bigint): Promise<ServerRow | undefined> {
  const [server] = await db.select().from(servers).where(eq(servers.id, serverId)).for('update');
  return server;
}

export async function setServerOwner(db: Db, serverId: bigint, ownerId: bigint): Promise<ServerRow> {
  const [server] = await db.update(servers).set({ ownerId }).where(eq(servers.id, serverId)).returning();
  if (!server) throw new Error('owner change found no server');
  return server;
}

/** The member who joined first, the owner aside (ties: the lower id). */
export async function longestStandingMember(
  db: Db,
  serverId: bigint,
  exceptUserId: bigint,
): Promise<bigint | undefined> {
  const [row] = await db
    .select({ userId: serverMembers.userId })
    .from(serverMembers)
    .where(and(eq(serverMembers.serverId, serverId), ne(serverMembers.userId, exceptUserId)))
    .orderBy(asc(serverMembers.joinedAt), asc(serverMembers.userId))
    .limit(1);
  return row?.userId;
}
