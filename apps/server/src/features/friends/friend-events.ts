import type { FriendRequest, UserRef } from '@decentra/protocol';
import { type DispatchMessage, dispatch, toUsers } from '../../kernel/events.js';

/** Both ends hear of a request, so the sender's other tabs update too. */
export function requestCreated(request: FriendRequest): DispatchMessage {
  return dispatch('friend_request_create', request, toUsers(BigInt(request.from.id), BigInt(request.to.id)));
}

export function requestDeleted(id: bigint, fromId: bigint, toId: bigint): DispatchMessage {
  return dispatch('friend_request_delete', { id: id.toString() }, toUsers(fromId, toId));
}

/** Each side receives the other's ref. */
export function friendAdded(a: UserRef, b: UserRef): DispatchMessage[] {
  return [dispatch('friend_add', b, toUsers(BigInt(a.id))), dispatch('friend_add', a, toUsers(BigInt(b.id)))];
}

export function friendRemoved(a: bigint, b: bigint): DispatchMessage[] {
  return [
    dispatch('friend_remove', { userId: b.toString() }, toUsers(a)),
    dispatch('friend_remove', { userId: a.toString() }, toUsers(b)),
  ];
}
