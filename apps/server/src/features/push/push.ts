import type { RouteHandlers } from '../../http/api.js';
import { DomainError } from '../../infra/errors.js';

// Skeleton: Web Push lands in the next commits.
const notYet = () => new DomainError('unavailable', 'Not built yet.');

export function registerPush(): {
  routes: RouteHandlers<'getPushKey' | 'addPushSubscription' | 'removePushSubscription'>;
} {
  return {
    routes: {
      getPushKey: async () => {
        throw notYet();
      },
      addPushSubscription: async () => {
        throw notYet();
      },
      removePushSubscription: async () => {
        throw notYet();
      },
    },
  };
}
