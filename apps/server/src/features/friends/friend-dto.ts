import type { FriendRequest, UserRef } from '@decentra/protocol';
import type { FriendRequestView, UserRefRow } from './friends.repo.js';

export function toRef(row: UserRefRow): UserRef {
  const ref = { id: row.id.toString(), username: row.username };
  return row.avatarHash ? { ...ref, avatar: row.avatarHash } : ref;
}

export function toFriendRequest(view: FriendRequestView): FriendRequest {
  return {
    id: view.id.toString(),
    from: toRef(view.from),
    to: toRef(view.to),
    createdAt: view.createdAt.toISOString(),
  };
}
