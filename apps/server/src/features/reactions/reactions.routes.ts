import type { RouteHandlers } from '../../http/api.js';
import type { Commands } from '../../kernel/commands.js';
import type { ReactionsService } from './reactions.service.js';

export function reactionsRoutes(deps: {
  reactions: ReactionsService;
  commands: Commands;
}): RouteHandlers<'addReaction' | 'removeReaction' | 'listReactors'> {
  const { reactions, commands } = deps;
  return {
    addReaction: async ({ auth, params }) => {
      await reactions.throttle(auth.actor.id);
      return commands.transaction((tx) =>
        reactions.add(tx, auth.actor, BigInt(params.channelId), BigInt(params.messageId), params.emoji),
      );
    },
    removeReaction: async ({ auth, params }) => {
      await reactions.throttle(auth.actor.id);
      return commands.transaction((tx) =>
        reactions.remove(tx, auth.actor, BigInt(params.channelId), BigInt(params.messageId), params.emoji),
      );
    },
    listReactors: async ({ auth, params, query }) =>
      reactions.reactors(
        auth.actor.id,
        BigInt(params.channelId),
        BigInt(params.messageId),
        params.emoji,
        query,
      ),
  };
}
