import { sql } from 'drizzle-orm';
import { type Db, executeRows } from '../../storage/db.js';

/** Where each of `userIds` finds those who see their presence: their friends and their servers. */
export interface Relations {
  friends: bigint[];
  servers: bigint[];
}

/**
 * The friends and servers of each of `userIds`, in one query: the co-members come from the
 * servers' member lists (cached), not from a join that reads every co-member per user.
 */
export async function relationsOf(db: Db, userIds: readonly bigint[]): Promise<Map<bigint, Relations>> {
  const out = new Map<bigint, Relations>();
  if (userIds.length === 0) return out;
  for (const id of userIds) out.set(id, { friends: [], servers: [] });
  const ids = sql.raw(`array[${userIds.map((id) => `${id}::bigint`).join(',')}]`);
  const rows = await executeRows<{ owner: string; kind: 'f' | 's'; id: string }>(
    db,
    sql`select user_low::text as owner, 'f' as kind, user_high::text as id from friendships where user_low = any(${ids})
        union all select user_high::text, 'f', user_low::text from friendships where user_high = any(${ids})
        union all select user_id::text, 's', server_id::text from server_members where user_id = any(${ids})`,
  );
  for (const row of rows) {
    const rel = out.get(BigInt(row.owner));
    if (!rel) continue;
    (row.kind === 'f' ? rel.friends : rel.servers).push(BigInt(row.id));
  }
  return out;
}

export async function serverMemberIds(db: Db, serverId: bigint): Promise<bigint[]> {
  const rows = await executeRows<{ id: string }>(
    db,
    sql`select user_id::text as id from server_members where server_id = ${serverId}`,
  );
  return rows.map((r) => BigInt(r.id));
}
