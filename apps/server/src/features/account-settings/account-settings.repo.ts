import { and, desc, eq, gt, isNull, ne, sql } from 'drizzle-orm';
import type { Db } from '../../storage/db.js';
import type { UserRow } from '../../storage/rows.js';
import { accountTokens, sessions, users } from '../../storage/schema.js';

export type SessionRow = typeof sessions.$inferSelect;
export type AccountTokenRow = typeof accountTokens.$inferSelect;
export type TokenPurpose = AccountTokenRow['purpose'];

const live = (now: Date) => and(isNull(sessions.revokedAt), gt(sessions.expiresAt, now));

/** A user's sessions that still authenticate, most recently used first. */
export async function liveSessionsOf(db: Db, userId: bigint, now: Date): Promise<SessionRow[]> {
  return db
    .select()
    .from(sessions)
    .where(and(eq(sessions.userId, userId), live(now)))
    .orderBy(desc(sessions.lastActiveAt), desc(sessions.id));
}

/** Revokes one live session of this user; false when it is not theirs or not live. */
export async function revokeSessionOf(
  db: Db,
  userId: bigint,
  sessionId: bigint,
  now: Date,
): Promise<boolean> {
  const rows = await db
    .update(sessions)
    .set({ revokedAt: now })
    .where(and(eq(sessions.id, sessionId), eq(sessions.userId, userId), live(now)))
    .returning({ id: sessions.id });
  return rows.length > 0;
}

/** Revokes every live session of this user (but `except`); the ids revoked. */
export async function revokeSessionsOf(
  db: Db,
  userId: bigint,
  now: Date,
  except?: bigint,
): Promise<bigint[]> {
  const rows = await db
    .update(sessions)
    .set({ revokedAt: now })
    .where(
      and(eq(sessions.userId, userId), live(now), except === undefined ? undefined : ne(sessions.id, except)),
    )
    .returning({ id: sessions.id });
  return rows.map((r) => r.id);
}

/** The user's row, locked until the transaction ends; undefined for an unknown or deleted account. */
export async function lockLiveUser(db: Db, userId: bigint): Promise<UserRow | undefined> {
  const [row] = await db
    .select()
    .from(users)
    .where(and(eq(users.id, userId), isNull(users.deletedAt)))
    .for('update');
  return row;
}

export async function updateUser(
  db: Db,
  userId: bigint,
  set: Partial<Pick<UserRow, 'passwordHash' | 'email' | 'pendingEmail'>>,
): Promise<UserRow> {
  const [row] = await db.update(users).set(set).where(eq(users.id, userId)).returning();
  if (!row) throw new Error('update found no user');
  return row;
}

/** Accounts that may reset their password by mail: this address, not deleted, not disabled. */
export async function liveUsersWithEmail(db: Db, email: string): Promise<UserRow[]> {
  return db
    .select()
    .from(users)
    .where(
      and(sql`lower(${users.email}) = lower(${email})`, isNull(users.deletedAt), isNull(users.disabledAt)),
    );
}

export async function insertToken(db: Db, token: typeof accountTokens.$inferInsert): Promise<void> {
  await db.insert(accountTokens).values(token);
}

/** The token if it is of this purpose, unused and unexpired (read only: a check before hashing). */
export async function findUsableToken(
  db: Db,
  tokenHash: Buffer,
  purpose: TokenPurpose,
  now: Date,
): Promise<AccountTokenRow | undefined> {
  const [row] = await db
    .select()
    .from(accountTokens)
    .where(usable(tokenHash, purpose, now));
  return row;
}

/**
 * Spends the token if it is of this purpose, unused and unexpired: one conditional UPDATE, so of
 * two uses at once exactly one gets the row.
 */
export async function takeToken(
  db: Db,
  tokenHash: Buffer,
  purpose: TokenPurpose,
  now: Date,
): Promise<AccountTokenRow | undefined> {
  const [row] = await db
    .update(accountTokens)
    .set({ usedAt: now })
    .where(usable(tokenHash, purpose, now))
    .returning();
  return row;
}

/** Marks every unused token of this purpose of the user as used (a newer one, or none, counts). */
export async function spendTokensOf(db: Db, userId: bigint, purpose: TokenPurpose, now: Date): Promise<void> {
  await db
    .update(accountTokens)
    .set({ usedAt: now })
    .where(
      and(eq(accountTokens.userId, userId), eq(accountTokens.purpose, purpose), isNull(accountTokens.usedAt)),
    );
}

export async function deleteTokensOf(db: Db, userId: bigint): Promise<void> {
  await db.delete(accountTokens).where(eq(accountTokens.userId, userId));
}

function usable(tokenHash: Buffer, purpose: TokenPurpose, now: Date) {
  return and(
    eq(accountTokens.tokenHash, tokenHash),
    eq(accountTokens.purpose, purpose),
    isNull(accountTokens.usedAt),
    gt(accountTokens.expiresAt, now),
  );
}

/**
 * Serialises decisions about who stays an admin (deleting an account, here) across transactions
 * and instances, so two admins deleting themselves at once cannot leave none.
 */
export async function lockAdmins(db: Db): Promise<void> {
  await db.execute(sql`select pg_advisory_xact_lock(20250101, 3)`);
}

/** Admins who can act: not deleted, not disabled, other than `except`. */
export async function countOtherActiveAdmins(db: Db, except: bigint): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(users)
    .where(
      and(eq(users.isAdmin, true), isNull(users.deletedAt), isNull(users.disabledAt), ne(users.id, except)),
    );
  return Number(row?.n ?? 0);
}

/** Accounts not deleted, other than `except`. */
export async function countOtherLiveUsers(db: Db, except: bigint): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(users)
    .where(and(isNull(users.deletedAt), ne(users.id, except)));
  return Number(row?.n ?? 0);
}

/**
 * What is left of a deleted account: the row (its messages keep their author), named `name`,
 * with no email, no admin right and a password hash no password matches.
 */
export async function scrubUser(
  db: Db,
  userId: bigint,
  scrubbed: { username: string; passwordHash: string; deletedAt: Date },
): Promise<void> {
  await db
    .update(users)
    .set({ ...scrubbed, email: null, pendingEmail: null, isAdmin: false })
    .where(eq(users.id, userId));
}
