import type { RouteHandlers } from '../../http/api.js';
import type { Commands } from '../../kernel/commands.js';
import type { ChannelsService } from './channels.service.js';

export function channelsRoutes(deps: {
  channels: ChannelsService;
  commands: Commands;
}): RouteHandlers<'createChannel' | 'renameChannel' | 'deleteChannel'> {
  const { channels, commands } = deps;
  return {
    createChannel: async ({ auth, params, body }) =>
      commands.transaction((tx) => channels.create(tx, auth.actor, BigInt(params.serverId), body)),
    renameChannel: async ({ auth, params, body }) =>
      commands.transaction((tx) => channels.rename(tx, auth.actor, BigInt(params.channelId), body.name)),
    deleteChannel: async ({ auth, params }) =>
      commands.transaction((tx) => channels.delete(tx, auth.actor, BigInt(params.channelId))),
  };
}
