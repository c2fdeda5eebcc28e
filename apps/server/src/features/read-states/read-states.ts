import type { OpHandlers } from '../../gateway/ops.js';
import type { ReadyContributor } from '../../gateway/ready.js';
import type { RouteHandlers } from '../../http/api.js';
import { DomainError } from '../../infra/errors.js';

// Skeleton: read states and notification overrides land in the next commits.
const notYet = () => new DomainError('unavailable', 'Not built yet.');

export function registerReadStates(): {
  routes: RouteHandlers<
    'ackChannel' | 'getReadState' | 'listNotificationOverrides' | 'updateNotificationOverride'
  >;
  ops: OpHandlers<'ack'>;
  ready: ReadyContributor;
} {
  return {
    routes: {
      ackChannel: async () => {
        throw notYet();
      },
      getReadState: async () => {
        throw notYet();
      },
      listNotificationOverrides: async () => [],
      updateNotificationOverride: async () => {
        throw notYet();
      },
    },
    ops: {
      ack: async () => {
        throw notYet();
      },
    },
    ready: async () => ({ data: { readStates: [], notificationOverrides: [] } }),
  };
}
