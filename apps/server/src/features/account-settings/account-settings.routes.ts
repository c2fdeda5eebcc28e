import type { RouteHandlers } from '../../http/api.js';
import type { Commands } from '../../kernel/commands.js';
import { clearSessionCookie } from '../accounts/session-cookie.js';
import type { AccountDeletionService } from './account-deletion.service.js';
import type { AccountExportService } from './account-export.service.js';
import type { AccountSettingsService } from './account-settings.service.js';
import type { PasswordResetService } from './password-reset.service.js';

/** `req.ip` everywhere below: the peer, or what the trusted proxies forwarded (DECENTRA_TRUST_PROXY). */
export function accountSettingsRoutes(deps: {
  account: AccountSettingsService;
  resets: PasswordResetService;
  deletion: AccountDeletionService;
  exports: AccountExportService;
  commands: Commands;
}): RouteHandlers<
  | 'exportAccount'
  | 'listSessions'
  | 'revokeSession'
  | 'revokeOtherSessions'
  | 'changePassword'
  | 'changeEmail'
  | 'confirmEmail'
  | 'requestPasswordReset'
  | 'confirmPasswordReset'
  | 'deleteAccount'
  | 'adminDeleteUser'
  | 'adminResetPassword'
> {
  const { account, resets, deletion, exports, commands } = deps;
  return {
    listSessions: async ({ auth }) => account.sessions(auth),
    revokeSession: async ({ auth, params }) =>
      commands.transaction((tx) => account.revokeSession(tx, auth, BigInt(params.sessionId))),
    revokeOtherSessions: async ({ auth }) =>
      commands.transaction((tx) => account.revokeOtherSessions(tx, auth)),
    changePassword: async ({ auth, body, req }) => account.changePassword(auth, body, req.ip),
    changeEmail: async ({ auth, body, req }) => account.changeEmail(auth, body, req.ip),
    confirmEmail: async ({ body, req }) => account.confirmEmail(body.token, req.ip),
    requestPasswordReset: async ({ body, req }) => resets.request(body.email, req.ip),
    confirmPasswordReset: async ({ body, req }) => resets.confirm(body.token, body.password, req.ip),
    exportAccount: async ({ auth, reply }) => {
      const data = await exports.export(auth);
      const day = data.exportedAt.slice(0, 10);
      // A file to keep, named for whom and when (usernames are ASCII: nothing to escape).
      reply.header(
        'content-disposition',
        `attachment; filename="decentra-${auth.user.username}-${day}.json"`,
      );
      return data;
    },
    deleteAccount: async ({ auth, body, req, reply }) => {
      await deletion.deleteOwn(auth, body, req.ip);
      clearSessionCookie(req, reply);
    },
    adminDeleteUser: async ({ auth, params }) => deletion.deleteByAdmin(auth.actor, BigInt(params.userId)),
    adminResetPassword: async ({ params }) => resets.adminReset(BigInt(params.userId)),
  };
}
