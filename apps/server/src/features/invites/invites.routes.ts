import type { RouteHandlers } from '../../http/api.js';
import type { Commands } from '../../kernel/commands.js';
import type { InvitesService } from './invites.service.js';

export function invitesRoutes(deps: {
  invites: InvitesService;
  commands: Commands;
}): RouteHandlers<'createInvite'> {
  const { invites, commands } = deps;
  return {
    createInvite: async ({ auth }) =>
      commands.transaction((tx) => invites.createSignupInvite(tx, auth.actor)),
  };
}
