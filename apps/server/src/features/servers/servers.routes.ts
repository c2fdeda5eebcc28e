import type { RouteHandlers } from '../../http/api.js';
import type { Commands } from '../../kernel/commands.js';
import type { ServersService } from './servers.service.js';

export function serversRoutes(deps: {
  servers: ServersService;
  commands: Commands;
}): RouteHandlers<
  | 'listServers'
  | 'createServer'
  | 'joinServer'
  | 'getServer'
  | 'renameServer'
  | 'deleteServer'
  | 'createServerInvite'
> {
  const { servers, commands } = deps;
  return {
    listServers: async ({ auth }) => servers.list(auth.actor.id),
    createServer: async ({ auth, body }) =>
      commands.transaction((tx) => servers.create(tx, auth.actor, body.name)),
    joinServer: async ({ auth, body }) =>
      commands.transaction((tx) => servers.join(tx, auth.actor, body.inviteCode)),
    getServer: async ({ auth, params }) => servers.get(auth.actor.id, BigInt(params.serverId)),
    renameServer: async ({ auth, params, body }) =>
      commands.transaction((tx) => servers.rename(tx, auth.actor, BigInt(params.serverId), body.name)),
    deleteServer: async ({ auth, params }) =>
      commands.transaction((tx) => servers.delete(tx, auth.actor, BigInt(params.serverId))),
    createServerInvite: async ({ auth, params, body }) =>
      commands.transaction((tx) => servers.createInvite(tx, auth.actor, BigInt(params.serverId), body ?? {})),
  };
}
