import type { RouteHandlers } from '../../http/api.js';
import type { Commands } from '../../kernel/commands.js';
import type { PinsService } from './pins.service.js';

export function pinsRoutes(deps: {
  pins: PinsService;
  commands: Commands;
}): RouteHandlers<'listPins' | 'pinMessage' | 'unpinMessage'> {
  const { pins, commands } = deps;
  return {
    listPins: async ({ auth, params }) => pins.list(auth.actor.id, BigInt(params.channelId)),
    pinMessage: async ({ auth, params }) =>
      commands.transaction((tx) =>
        pins.pin(tx, auth.actor, BigInt(params.channelId), BigInt(params.messageId)),
      ),
    unpinMessage: async ({ auth, params }) =>
      commands.transaction((tx) =>
        pins.unpin(tx, auth.actor, BigInt(params.channelId), BigInt(params.messageId)),
      ),
  };
}
