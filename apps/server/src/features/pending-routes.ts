import type { RouteName } from '@decentra/protocol';
import type { RouteHandler, RouteHandlers } from '../http/api.js';
import { DomainError } from '../infra/errors.js';

/**
 * TEMPORARY while issue 12's routes are built on their branches: every route of the contract that
 * has no handler yet answers 503. Each branch deletes its names from here.
 */
type Pending =
  | 'adminOverview'
  | 'adminListUsers'
  | 'adminUpdateUser'
  | 'adminListInvites'
  | 'adminRevokeInvite'
  | 'getInstance';

const notYet =
  <N extends RouteName>(): RouteHandler<N> =>
  async () => {
    throw new DomainError('unavailable', 'Not built yet.');
  };

export function pendingRoutes(): RouteHandlers<Pending> {
  return {
    adminOverview: notYet(),
    adminListUsers: notYet(),
    adminUpdateUser: notYet(),
    adminListInvites: notYet(),
    adminRevokeInvite: notYet(),
    getInstance: notYet(),
  };
}
