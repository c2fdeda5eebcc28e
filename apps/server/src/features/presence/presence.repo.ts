import { sql } from 'drizzle-orm';
import { type Db, executeRows } from '../../storage/db.js';

/** Everyone whose presence this user may see, and who may see theirs: friends and co-members. */
export async function visibleUsers(db: Db, userId: bigint): Promise<bigint[]> {
  const rows = await executeRows<{ id: string }>(
    db,
    sql`select user_high::text as id from friendships where user_low = ${userId}
        union select user_low::text from friendships where user_high = ${userId}
        union select other.user_id::text from server_members mine
          join server_members other on other.server_id = mine.server_id
          where mine.user_id = ${userId} and other.user_id <> ${userId}`,
  );
  return rows.map((r) => BigInt(r.id));
}

export async function serverMemberIds(db: Db, serverId: bigint): Promise<bigint[]> {
  const rows = await executeRows<{ id: string }>(
    db,
    sql`select user_id::text as id from server_members where server_id = ${serverId}`,
  );
  return rows.map((r) => BigInt(r.id));
}
