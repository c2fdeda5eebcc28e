import type { RouteHandlers } from '../../http/api.js';
import type { Commands } from '../../kernel/commands.js';
import type { MembersService } from './members.service.js';

/** `@me` in the path means the caller (leave a server). */
const target = (userId: string, me: bigint) => (userId === '@me' ? me : BigInt(userId));

export function membersRoutes(deps: {
  members: MembersService;
  commands: Commands;
}): RouteHandlers<'listMembers' | 'updateMember' | 'removeMember'> {
  const { members, commands } = deps;
  return {
    listMembers: async ({ auth, params }) => members.list(auth.actor, BigInt(params.serverId)),
    updateMember: async ({ auth, params, body }) =>
      commands.transaction((tx) =>
        members.updatePermissions(
          tx,
          auth.actor,
          BigInt(params.serverId),
          target(params.userId, auth.actor.id),
          body,
        ),
      ),
    removeMember: async ({ auth, params }) =>
      commands.transaction((tx) =>
        members.remove(tx, auth.actor, BigInt(params.serverId), target(params.userId, auth.actor.id)),
      ),
  };
}
