import { and, eq, gt, isNull, lt, or, sql } from 'drizzle-orm';
import type { Db } from '../../storage/db.js';
import type { InviteRow } from '../../storage/rows.js';
import { invites, inviteUses, users } from '../../storage/schema.js';

export async function insertInvite(db: Db, invite: typeof invites.$inferInsert): Promise<InviteRow> {
  const [row] = await db.insert(invites).values(invite).returning();
  if (!row) throw new Error('insert returned no invite');
  return row;
}

/**
 * Takes one use of a code, atomically: the row lock makes concurrent takers queue, and each
 * re-checks `uses < max_uses` after the one before it committed, so uses never exceed max_uses.
 */
export async function takeInviteUse(db: Db, code: string, now: Date): Promise<InviteRow | undefined> {
  const [row] = await db
    .update(invites)
    .set({ uses: sql`${invites.uses} + 1` })
    .where(
      and(
        eq(invites.code, code),
        lt(invites.uses, invites.maxUses),
        or(isNull(invites.expiresAt), gt(invites.expiresAt, now)),
      ),
    )
    .returning();
  return row;
}

export async function recordInviteUse(db: Db, code: string, userId: bigint): Promise<void> {
  await db.insert(inviteUses).values({ code, userId }).onConflictDoNothing();
}

/** Signup codes this user made that nobody has used yet. */
export async function countOpenSignupInvites(db: Db, userId: bigint): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(invites)
    .where(and(eq(invites.createdBy, userId), isNull(invites.serverId), lt(invites.uses, invites.maxUses)));
  return Number(row?.n ?? 0);
}

export async function findInvite(db: Db, code: string): Promise<InviteRow | undefined> {
  const [row] = await db.select().from(invites).where(eq(invites.code, code));
  return row;
}

/**
 * Serialises one user's invite creations until the transaction ends, so that the cap on unused
 * codes holds however many requests arrive at once (NO KEY UPDATE: rows that merely reference
 * the user are not held up).
 */
export async function lockInviter(db: Db, userId: bigint): Promise<void> {
  await db.select({ id: users.id }).from(users).where(eq(users.id, userId)).for('no key update');
}

/**
 * A deleted account's codes stop working: those nobody used are deleted, those partly used are
 * closed (max_uses = uses) so that `invite_uses` keeps saying who came in with them.
 */
export async function retireInvitesOf(db: Db, userId: bigint): Promise<void> {
  await db.delete(invites).where(and(eq(invites.createdBy, userId), eq(invites.uses, 0)));
  await db
    .update(invites)
    .set({ maxUses: invites.uses })
    .where(and(eq(invites.createdBy, userId), lt(invites.uses, invites.maxUses)));
}
