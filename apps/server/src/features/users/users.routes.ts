import type { RouteHandlers } from '../../http/api.js';
import type { UsersService } from './users.service.js';

export function usersRoutes(deps: { users: UsersService }): RouteHandlers<'searchUsers'> {
  return { searchUsers: async ({ auth, query }) => deps.users.search(auth.actor.id, query.q) };
}
