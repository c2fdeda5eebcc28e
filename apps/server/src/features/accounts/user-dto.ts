import type { User, UserRef } from '@decentra/protocol';
import type { UserRow } from '../../storage/rows.js';

/** What a repo selects to show someone: the avatar comes with the name, from the same join. */
export type UserRefRow = Pick<UserRow, 'id' | 'username' | 'avatarHash'>;

export function toUser(row: UserRow): User {
  return {
    id: row.id.toString(),
    username: row.username,
    ...(row.email ? { email: row.email } : {}),
    ...(row.pendingEmail ? { pendingEmail: row.pendingEmail } : {}),
    isAdmin: row.isAdmin,
    createdAt: row.createdAt.toISOString(),
    ...(row.avatarHash ? { avatar: row.avatarHash } : {}),
  };
}

export function toUserRef(row: UserRefRow): UserRef {
  return {
    id: row.id.toString(),
    username: row.username,
    ...(row.avatarHash ? { avatar: row.avatarHash } : {}),
  };
}
