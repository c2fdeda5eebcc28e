import type { RouteHandlers } from '../../http/api.js';
import type { Commands } from '../../kernel/commands.js';
import type { FriendsService } from './friends.service.js';

export function friendsRoutes(deps: {
  friends: FriendsService;
  commands: Commands;
}): RouteHandlers<
  'listFriends' | 'sendFriendRequest' | 'acceptFriendRequest' | 'deleteFriendRequest' | 'removeFriend'
> {
  const { friends, commands } = deps;
  return {
    listFriends: async ({ auth }) => friends.list(auth.actor.id),
    sendFriendRequest: async ({ auth, body }) =>
      commands.transaction((tx) => friends.sendRequest(tx, auth.actor, body.username)),
    acceptFriendRequest: async ({ auth, params }) =>
      commands.transaction((tx) => friends.accept(tx, auth.actor.id, BigInt(params.requestId))),
    deleteFriendRequest: async ({ auth, params }) =>
      commands.transaction((tx) => friends.deleteRequest(tx, auth.actor.id, BigInt(params.requestId))),
    removeFriend: async ({ auth, params }) =>
      commands.transaction((tx) => friends.removeFriend(tx, auth.actor.id, BigInt(params.userId))),
  };
}
