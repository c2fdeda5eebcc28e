import type { RouteHandlers } from '../../http/api.js';
import type { Commands } from '../../kernel/commands.js';
import type { DmsService } from './dms.service.js';

export function dmsRoutes(deps: {
  dms: DmsService;
  commands: Commands;
}): RouteHandlers<'listDms' | 'openDm'> {
  const { dms, commands } = deps;
  return {
    listDms: async ({ auth }) => dms.list(auth.actor.id),
    openDm: async ({ auth, body }) =>
      commands.transaction((tx) => dms.open(tx, auth.actor, BigInt(body.userId))),
  };
}
