import type { RouteName } from '@decentra/protocol';
import type { RouteHandler, RouteHandlers } from '../http/api.js';
import { DomainError } from '../infra/errors.js';

/**
 * TEMPORARY while issue 12's routes are built on their branches: every route of the contract that
 * has no handler yet answers 503. Each branch deletes its names from here.
 */
type Pending =
  | 'requestPasswordReset'
  | 'confirmPasswordReset'
  | 'confirmEmail'
  | 'changePassword'
  | 'changeEmail'
  | 'listSessions'
  | 'revokeSession'
  | 'revokeOtherSessions'
  | 'deleteAccount'
  | 'adminDeleteUser'
  | 'adminResetPassword';

const notYet =
  <N extends RouteName>(): RouteHandler<N> =>
  async () => {
    throw new DomainError('unavailable', 'Not built yet.');
  };

export function pendingRoutes(): RouteHandlers<Pending> {
  return {
    requestPasswordReset: notYet(),
    confirmPasswordReset: notYet(),
    confirmEmail: notYet(),
    changePassword: notYet(),
    changeEmail: notYet(),
    listSessions: notYet(),
    revokeSession: notYet(),
    revokeOtherSessions: notYet(),
    deleteAccount: notYet(),
    adminDeleteUser: notYet(),
    adminResetPassword: notYet(),
  };
}
