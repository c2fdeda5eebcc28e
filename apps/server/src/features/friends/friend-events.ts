import type { FriendRemoveEvent, FriendRequest, FriendRequestDeleteEvent, UserRef } from '@decentra/protocol';
import { type DispatchMessage, dispatch } from '../../bus/bus.js';

const toUsers = (...userIds: string[]) => ({ kind: 'users', userIds }) as const;

/** Both ends hear of a request, so the sender's other tabs update too. */
export function requestCreated(request: FriendRequest): DispatchMessage {
  return dispatch('friend_request_create', request, toUsers(request.from.id, request.to.id));
}

export function requestDeleted(id: string, fromId: string, toId: string): DispatchMessage {
  const d: FriendRequestDeleteEvent = { id };
  return dispatch('friend_request_delete', d, toUsers(fromId, toId));
}

/** Each side receives the other's ref. */
export function friendAdded(a: UserRef, b: UserRef): DispatchMessage[] {
  return [dispatch('friend_add', b, toUsers(a.id)), dispatch('friend_add', a, toUsers(b.id))];
}

export function friendRemoved(a: string, b: string): DispatchMessage[] {
  const toA: FriendRemoveEvent = { userId: b };
  const toB: FriendRemoveEvent = { userId: a };
  return [dispatch('friend_remove', toA, toUsers(a)), dispatch('friend_remove', toB, toUsers(b))];
}
