import { and, eq, gt, inArray, isNull, lt, sql } from 'drizzle-orm';
import type { Db } from '../../storage/db.js';
import type { UserRow } from '../../storage/rows.js';
import { sessions, users } from '../../storage/schema.js';

/** Accounts not deleted: once the last is gone, the next signup sets the instance up again. */
export async function countUsers(db: Db): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(users).where(isNull(users.deletedAt));
  return row?.n ?? 0;
}

/** The account whose name has this key (the protocol's usernameKey), through its unique index. */
export async function findUserByKey(db: Db, key: string): Promise<UserRow | undefined> {
  // Deleted accounts all share one name and can never log in: the index holds the living only.
  const [row] = await db
    .select()
    .from(users)
    .where(and(eq(users.usernameKey, key), isNull(users.deletedAt)));
  return row;
}

export async function findUserById(db: Db, id: bigint): Promise<UserRow | undefined> {
  const [row] = await db.select().from(users).where(eq(users.id, id));
  return row;
}

/** Inserts the user unless the name is taken (its key: case-insensitively); undefined when taken. */
export async function insertUser(db: Db, user: typeof users.$inferInsert): Promise<UserRow | undefined> {
  const [row] = await db.insert(users).values(user).onConflictDoNothing().returning();
  return row;
}

export async function insertSession(db: Db, session: typeof sessions.$inferInsert): Promise<void> {
  await db.insert(sessions).values(session);
}

export interface LiveSession {
  sessionId: bigint;
  expiresAt: Date;
  user: UserRow;
}

/** The live sessions among these token hashes (hex) with their users, in one query. */
export async function findLiveSessions(
  db: Db,
  tokenHashes: readonly string[],
  now: Date,
): Promise<Map<string, LiveSession>> {
  const rows = await db
    .select({
      tokenHash: sessions.tokenHash,
      sessionId: sessions.id,
      expiresAt: sessions.expiresAt,
      user: users,
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(
      and(
        inArray(
          sessions.tokenHash,
          tokenHashes.map((hex) => Buffer.from(hex, 'hex')),
        ),
        isNull(sessions.revokedAt),
        gt(sessions.expiresAt, now),
        // A disabled or deleted account's sessions are worth nothing, wherever they are shown.
        isNull(users.disabledAt),
        isNull(users.deletedAt),
      ),
    );
  return new Map(rows.map(({ tokenHash, ...found }) => [tokenHash.toString('hex'), found]));
}

/** Moves these sessions' last activity to `now`, each unless it already moved within the last `staleMs`. */
export async function touchSessions(
  db: Db,
  sessionIds: readonly bigint[],
  now: Date,
  staleMs: number,
): Promise<void> {
  await db
    .update(sessions)
    .set({ lastActiveAt: now })
    .where(
      and(
        inArray(sessions.id, [...sessionIds]),
        lt(sessions.lastActiveAt, new Date(now.getTime() - staleMs)),
      ),
    );
}

export async function revokeSession(db: Db, sessionId: bigint, now: Date): Promise<void> {
  await db
    .update(sessions)
    .set({ revokedAt: now })
    .where(and(eq(sessions.id, sessionId), isNull(sessions.revokedAt)));
}

/** Serialises the "first account becomes admin" decision between concurrent signups. */
export async function lockBootstrap(db: Db): Promise<void> {
  await db.execute(sql`select pg_advisory_xact_lock(20250101, 2)`);
}
