import { and, asc, desc, eq, gt, isNull, lt, or, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Db } from '../../storage/db.js';
import type { UserRow } from '../../storage/rows.js';
import {
  instanceSettings,
  invites,
  inviteUses,
  messages,
  servers,
  sessions,
  users,
} from '../../storage/schema.js';

/** One instance setting's stored JSON, or undefined when it was never saved. */
export async function readInstanceSetting(db: Db, key: string): Promise<unknown> {
  const [row] = await db.select().from(instanceSettings).where(eq(instanceSettings.key, key));
  return row?.value;
}

export async function writeInstanceSetting(db: Db, key: string, value: unknown, now: Date): Promise<void> {
  await db
    .insert(instanceSettings)
    .values({ key, value, updatedAt: now })
    .onConflictDoUpdate({ target: instanceSettings.key, set: { value, updatedAt: now } });
}

/** Whether any account was ever made (deleted ones included: their rows stay). */
export async function anyUserExists(db: Db): Promise<boolean> {
  const [row] = await db.select({ id: users.id }).from(users).limit(1);
  return row !== undefined;
}

export async function countOverview(
  db: Db,
): Promise<{ users: number; servers: number; messages: number; databaseBytes: number }> {
  const [row] = await db
    .select({
      users: sql<number>`(select count(*)::int from ${users} where ${users.deletedAt} is null)`,
      servers: sql<number>`(select count(*)::int from ${servers})`,
      messages: sql<number>`(select count(*)::int from ${messages})`,
      // bigint: text on the wire of both drivers.
      databaseBytes: sql<string>`pg_database_size(current_database())::text`,
    })
    .from(sql`(select 1) as one`);
  if (!row) throw new Error('overview answered no row');
  return {
    users: row.users,
    servers: row.servers,
    messages: row.messages,
    databaseBytes: Number(row.databaseBytes),
  };
}

/** LIKE treats `%`, `_` and `\` as special; a search for them means the characters themselves. */
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, '\\$&');
}

const inviter = alias(users, 'inviter');

export interface AdminUserRow {
  user: UserRow;
  lastSeenAt: Date | null;
  inviter: { id: bigint; username: string; avatarHash: string | null } | null;
}

/**
 * The page's users with what the admin sees of them, in one query: the last use of any of their
 * sessions, and the creator of the first code they used (the signup's), unless that creator is gone.
 */
function adminUsersQuery(db: Db) {
  const firstUse = db
    .select({ createdBy: invites.createdBy })
    .from(inviteUses)
    .innerJoin(invites, eq(invites.code, inviteUses.code))
    .where(eq(inviteUses.userId, users.id))
    .orderBy(asc(inviteUses.usedAt), asc(inviteUses.code))
    .limit(1)
    .as('first_use');
  return db
    .select({
      user: users,
      lastSeenAt:
        sql<Date | null>`(select max(${sessions.lastActiveAt}) from ${sessions} where ${sessions.userId} = ${users.id})`.mapWith(
          sessions.lastActiveAt,
        ),
      inviter: { id: inviter.id, username: inviter.username, avatarHash: inviter.avatarHash },
    })
    .from(users)
    .leftJoinLateral(firstUse, sql`true`)
    .leftJoin(inviter, and(eq(inviter.id, firstUse.createdBy), isNull(inviter.deletedAt)));
}

/**
 * Accounts not deleted, in byte order of their name's key, after `afterKey`; `q` matches a key
 * prefix or part of an email.
 */
export async function listAdminUsers(
  db: Db,
  page: {
    qKey?: string | undefined;
    qText?: string | undefined;
    afterKey?: string | undefined;
    limit: number;
  },
): Promise<AdminUserRow[]> {
  const keyC = sql`${users.usernameKey} collate "C"`;
  return adminUsersQuery(db)
    .where(
      and(
        isNull(users.deletedAt),
        page.afterKey === undefined ? undefined : sql`${keyC} > ${page.afterKey}`,
        page.qKey === undefined || page.qText === undefined
          ? undefined
          : or(
              sql`${users.usernameKey} like ${`${escapeLike(page.qKey)}%`}`,
              sql`${users.email} ilike ${`%${escapeLike(page.qText)}%`}`,
            ),
      ),
    )
    .orderBy(keyC)
    .limit(page.limit);
}

export async function findAdminUser(db: Db, userId: bigint): Promise<AdminUserRow | undefined> {
  const [row] = await adminUsersQuery(db).where(and(eq(users.id, userId), isNull(users.deletedAt)));
  return row;
}

/**
 * Locks every active admin's row (is_admin, not disabled, not deleted), in id order, until the
 * transaction ends, and answers their ids. Two changes that could each remove an admin queue here;
 * the second re-reads the rows the first changed, so it sees the admins that are left.
 */
export async function lockActiveAdmins(db: Db): Promise<bigint[]> {
  const rows = await db
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.isAdmin, true), isNull(users.disabledAt), isNull(users.deletedAt)))
    .orderBy(users.id)
    .for('update');
  return rows.map((r) => r.id);
}

/** The account (not deleted), its row locked until the transaction ends. */
export async function lockUser(db: Db, userId: bigint): Promise<UserRow | undefined> {
  const [row] = await db
    .select()
    .from(users)
    .where(and(eq(users.id, userId), isNull(users.deletedAt)))
    .for('update');
  return row;
}

export async function updateUserAdminFields(
  db: Db,
  userId: bigint,
  set: { isAdmin?: boolean; disabledAt?: Date | null },
): Promise<UserRow> {
  const [row] = await db.update(users).set(set).where(eq(users.id, userId)).returning();
  if (!row) throw new Error('update returned no user');
  return row;
}

/** Revokes every live session of the user; answers their ids (for closing their sockets). */
export async function revokeUserSessions(db: Db, userId: bigint, now: Date): Promise<bigint[]> {
  const rows = await db
    .update(sessions)
    .set({ revokedAt: now })
    .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt)))
    .returning({ id: sessions.id });
  return rows.map((r) => r.id);
}

/** A signup code (no server) that can still be used. */
const openSignupCode = (now: Date) =>
  and(
    isNull(invites.serverId),
    lt(invites.uses, invites.maxUses),
    or(isNull(invites.expiresAt), gt(invites.expiresAt, now)),
  );

export async function listOpenSignupInvites(
  db: Db,
  now: Date,
  limit: number,
): Promise<
  Array<{
    code: string;
    createdAt: Date;
    expiresAt: Date | null;
    creator: { id: bigint; username: string; avatarHash: string | null } | null;
  }>
> {
  return db
    .select({
      code: invites.code,
      createdAt: invites.createdAt,
      expiresAt: invites.expiresAt,
      creator: { id: users.id, username: users.username, avatarHash: users.avatarHash },
    })
    .from(invites)
    .leftJoin(users, and(eq(users.id, invites.createdBy), isNull(users.deletedAt)))
    .where(openSignupCode(now))
    .orderBy(desc(invites.createdAt), desc(invites.code))
    .limit(limit);
}

/** Deletes the code if it is a signup code that can still be used; false otherwise. */
export async function deleteOpenSignupInvite(db: Db, code: string, now: Date): Promise<boolean> {
  const rows = await db
    .delete(invites)
    .where(and(eq(invites.code, code), openSignupCode(now)))
    .returning({ code: invites.code });
  return rows.length > 0;
}
