import type { ReadyContributor } from '../../gateway/ready.js';
import type { FriendsService } from './friends.service.js';

/** `ready.friends` is what GET /friends answers; friend events go to users, so no topics. */
export function friendsReady(friends: FriendsService): ReadyContributor {
  return async (auth) => ({ data: { friends: await friends.list(auth.actor.id) } });
}
