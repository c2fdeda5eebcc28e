import type { FriendRequest, UserRef } from '@decentra/protocol';
import type { FriendRequestView, UserRefRow } from './friends.repo.js';

export function toRef(row: UserRefRow): UserRef {
  return { id: row.id.toString(), username: row.username };
}

export function toFriendRequest(view: FriendRequestView): FriendRequest {
  return {
    id: view.id.toString(),
    from: toRef(view.from),
    to: toRef(view.to),
    createdAt: view.createdAt.toISOString(),
  };
}
