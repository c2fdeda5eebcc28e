import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../../storage/db.js';
import type { MemberRow } from '../../storage/rows.js';
import { serverMembers, users } from '../../storage/schema.js';

export interface MemberWithUser {
  member: MemberRow;
  user: { id: bigint; username: string; avatarHash: string | null };
}

export async function membersOfServer(db: Db, serverId: bigint): Promise<MemberWithUser[]> {
  return db
    .select({
      member: serverMembers,
      user: { id: users.id, username: users.username, avatarHash: users.avatarHash },
    })
    .from(serverMembers)
    .innerJoin(users, eq(users.id, serverMembers.userId))
    .where(eq(serverMembers.serverId, serverId))
    .orderBy(asc(serverMembers.joinedAt), asc(users.id));
}

export async function memberWithUser(
  db: Db,
  serverId: bigint,
  userId: bigint,
): Promise<MemberWithUser | undefined> {
  const [row] = await db
    .select({
      member: serverMembers,
      user: { id: users.id, username: users.username, avatarHash: users.avatarHash },
    })
    .from(serverMembers)
    .innerJoin(users, eq(users.id, serverMembers.userId))
    .where(and(eq(serverMembers.serverId, serverId), eq(serverMembers.userId, userId)));
  return row;
}

export async function updateMemberPermissions(
  db: Db,
  serverId: bigint,
  userId: bigint,
  flags: Partial<
    Pick<
      MemberRow,
      'canCreateChannel' | 'canEditChannel' | 'canDeleteChannel' | 'canMentionEveryone' | 'canPinMessages'
    >
  >,
): Promise<MemberRow | undefined> {
  if (Object.keys(flags).length === 0) {
    const [unchanged] = await db
      .select()
      .from(serverMembers)
      .where(and(eq(serverMembers.serverId, serverId), eq(serverMembers.userId, userId)));
    return unchanged;
  }
  const [row] = await db
    .update(serverMembers)
    .set(flags)
    .where(and(eq(serverMembers.serverId, serverId), eq(serverMembers.userId, userId)))
    .returning();
  return row;
}

export async function deleteMember(db: Db, serverId: bigint, userId: bigint): Promise<boolean> {
  const rows = await db
    .delete(serverMembers)
    .where(and(eq(serverMembers.serverId, serverId), eq(serverMembers.userId, userId)))
    .returning({ userId: serverMembers.userId });
  return rows.length > 0;
}
