import { eq, sql } from 'drizzle-orm';
import { type Db, executeRows } from '../../storage/db.js';
import type { ServerRow, UserRow } from '../../storage/rows.js';
import { images, servers, users } from '../../storage/schema.js';
import type { AvatarImage } from './avatar-image.js';

/**
 * Stores an image under its hash, or finds it stored. The upsert locks the row (an insert or a
 * no-op update both do) until the transaction ends, so `forgetIfUnused` in another transaction
 * cannot delete it between this and the reference that follows.
 */
export async function putImage(db: Db, image: AvatarImage): Promise<void> {
  await db
    .insert(images)
    .values({ hash: image.hash, data: image.data })
    .onConflictDoUpdate({ target: images.hash, set: { hash: sql`excluded.hash` } });
}

export async function findImage(db: Db, hash: string): Promise<Buffer | undefined> {
  const [row] = await db.select({ data: images.data }).from(images).where(eq(images.hash, hash));
  return row?.data;
}

/** The user's avatar set (null: none); the row as it was before, for its old hash. */
export async function setUserAvatar(
  db: Db,
  userId: bigint,
  hash: string | null,
): Promise<{ before: string | null; after: UserRow } | undefined> {
  const [before] = await db
    .select({ hash: users.avatarHash })
    .from(users)
    .where(eq(users.id, userId))
    .for('update');
  if (!before) return undefined;
  const [after] = await db.update(users).set({ avatarHash: hash }).where(eq(users.id, userId)).returning();
  return after ? { before: before.hash, after } : undefined;
}

export async function setServerIcon(
  db: Db,
  serverId: bigint,
  hash: string | null,
): Promise<{ before: string | null; after: ServerRow } | undefined> {
  const [before] = await db
    .select({ hash: servers.iconHash })
    .from(servers)
    .where(eq(servers.id, serverId))
    .for('update');
  if (!before) return undefined;
  const [after] = await db
    .update(servers)
    .set({ iconHash: hash })
    .where(eq(servers.id, serverId))
    .returning();
  return after ? { before: before.hash, after } : undefined;
}

/**
 * Deletes an image nobody shows any more (a removed or replaced avatar is not kept, nor served).
 * The row is locked first: a transaction about to reference it (`putImage`) has it locked, and
 * this waits for it and then sees its reference; one that comes after waits for this and
 * stores the image again.
 */
export async function forgetIfUnused(db: Db, hash: string): Promise<void> {
  const locked = await db
    .select({ hash: images.hash })
    .from(images)
    .where(eq(images.hash, hash))
    .for('update');
  if (locked.length === 0) return;
  await db.execute(
    sql`delete from images where hash = ${hash}
        and not exists (select 1 from users where avatar_hash = ${hash})
        and not exists (select 1 from servers where icon_hash = ${hash})`,
  );
}

/**
 * Everyone who is shown this user: friends, co-members, DM partners and both ends of a pending
 * friend request. The user themself is left out (their own sessions get `user_update`).
 */
export async function watchersOf(db: Db, userId: bigint): Promise<bigint[]> {
  const rows = await executeRows<{ id: string }>(
    db,
    sql`select user_high::text as id from friendships where user_low = ${userId}
        union select user_low::text from friendships where user_high = ${userId}
        union select other.user_id::text from server_members mine
          join server_members other on other.server_id = mine.server_id
          where mine.user_id = ${userId} and other.user_id <> ${userId}
        union select user_high::text from dm_channels where user_low = ${userId}
        union select user_low::text from dm_channels where user_high = ${userId}
        union select to_id::text from friend_requests where from_id = ${userId}
        union select from_id::text from friend_requests where to_id = ${userId}`,
  );
  return rows.map((r) => BigInt(r.id));
}
