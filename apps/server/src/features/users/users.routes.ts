import type { RouteHandlers } from '../../http/api.js';
import type { UsersService } from './users.service.js';

export function usersRoutes(deps: { users: UsersService }): RouteHandlers<'searchUsers' | 'getUserProfile'> {
  return {
    searchUsers: async ({ auth, query }) => deps.users.search(auth.actor.id, query.q),
    getUserProfile: async ({ auth, params }) => deps.users.profile(auth.actor.id, BigInt(params.userId)),
  };
}
