import type { User, UserRef } from '@decentra/protocol';
import type { UserRow } from '../../storage/rows.js';

export function toUser(row: UserRow): User {
  return {
    id: row.id.toString(),
    username: row.username,
    ...(row.email ? { email: row.email } : {}),
    ...(row.pendingEmail ? { pendingEmail: row.pendingEmail } : {}),
    isAdmin: row.isAdmin,
    createdAt: row.createdAt.toISOString(),
  };
}

export function toUserRef(row: Pick<UserRow, 'id' | 'username'>): UserRef {
  return { id: row.id.toString(), username: row.username };
}
