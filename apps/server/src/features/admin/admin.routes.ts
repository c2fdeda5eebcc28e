import type { RouteHandlers } from '../../http/api.js';
import type { Commands } from '../../kernel/commands.js';
import type { AdminService } from './admin.service.js';

/** Admin only (but getInstance): the route contract marks them `auth: 'admin'`, checked before the handler runs. */
export function adminRoutes(deps: {
  admin: AdminService;
  commands: Commands;
}): RouteHandlers<
  | 'getAdminSettings'
  | 'putAdminSettings'
  | 'testSmtp'
  | 'getInstance'
  | 'adminOverview'
  | 'adminListUsers'
  | 'adminUpdateUser'
  | 'adminListInvites'
  | 'adminRevokeInvite'
> {
  const { admin, commands } = deps;
  return {
    getAdminSettings: async () => admin.settings(),
    putAdminSettings: async ({ body }) => commands.transaction((tx) => admin.saveSettings(tx, body)),
    testSmtp: async ({ auth, body }) => admin.testMail(auth.user, body),
    getInstance: async () => admin.instanceInfo(),
    adminOverview: async () => admin.overview(),
    adminListUsers: async ({ query }) => admin.listUsers(query),
    adminUpdateUser: async ({ auth, params, body }) =>
      commands.transaction((tx) => admin.updateUser(tx, auth.actor, BigInt(params.userId), body)),
    adminListInvites: async () => admin.listInvites(),
    adminRevokeInvite: async ({ params }) =>
      commands.transaction((tx) => admin.revokeInvite(tx, params.code)),
  };
}
