import type { RouteHandlers } from '../../http/api.js';
import type { Commands } from '../../kernel/commands.js';
import type { ReadStatesService } from './read-states.service.js';

export function readStatesRoutes(deps: {
  readStates: ReadStatesService;
  commands: Commands;
}): RouteHandlers<
  'ackChannel' | 'getReadState' | 'listNotificationOverrides' | 'updateNotificationOverride'
> {
  const { readStates, commands } = deps;
  return {
    ackChannel: async ({ auth, params, body }) =>
      commands.transaction((tx) =>
        readStates.ack(tx, auth.actor, BigInt(params.channelId), BigInt(body.messageId)),
      ),
    getReadState: async ({ auth, params }) => readStates.state(auth.actor.id, BigInt(params.channelId)),
    listNotificationOverrides: async ({ auth }) => readStates.overrides(auth.actor.id),
    updateNotificationOverride: async ({ auth, params, body }) =>
      commands.transaction((tx) => readStates.updateOverride(tx, auth.actor, BigInt(params.targetId), body)),
  };
}
