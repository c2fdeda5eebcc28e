import type { RouteHandlers } from '../../http/api.js';
import type { Commands } from '../../kernel/commands.js';
import type { AdminService } from './admin.service.js';

/** Admin only: the route contract marks these `auth: 'admin'`, checked before the handler runs. */
export function adminRoutes(deps: {
  admin: AdminService;
  commands: Commands;
}): RouteHandlers<'getAdminSettings' | 'putAdminSettings' | 'testSmtp'> {
  const { admin, commands } = deps;
  return {
    getAdminSettings: async () => admin.settings(),
    putAdminSettings: async ({ body }) => commands.transaction((tx) => admin.saveSettings(tx, body)),
    testSmtp: async ({ auth, body }) => admin.testMail(auth.user, body?.to),
  };
}
