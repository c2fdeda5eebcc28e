import type { RouteHandlers } from '../../http/api.js';
import type { PushService } from './push.service.js';

export function pushRoutes(deps: {
  push: PushService;
}): RouteHandlers<'getPushKey' | 'addPushSubscription' | 'removePushSubscription'> {
  const { push } = deps;
  return {
    getPushKey: async () => push.publicKey(),
    addPushSubscription: async ({ auth, body }) => push.subscribe(auth.actor.id, body),
    removePushSubscription: async ({ auth, query }) => push.unsubscribe(auth.actor.id, query.endpoint),
  };
}
