import { ErrorBodySchema, UserSearchQuerySchema, UserSearchResultSchema } from '@decentra/protocol';
import * as z from 'zod';
import { authOf, requireAuth } from '../../http/auth.js';
import type { App } from '../../http/types.js';
import type { AccountsService } from '../accounts/accounts.service.js';
import type { UsersService } from './users.service.js';

export function usersRoutes(app: App, deps: { accounts: AccountsService; users: UsersService }): void {
  app.get(
    '/api/users/search',
    {
      preHandler: requireAuth(deps.accounts),
      schema: {
        tags: ['users'],
        summary: 'Users whose name starts with q (case-insensitive), at most 25, never yourself',
        security: [{ bearer: [] }],
        querystring: UserSearchQuerySchema,
        response: { 200: z.array(UserSearchResultSchema), 400: ErrorBodySchema, 401: ErrorBodySchema },
      },
    },
    async (req) => deps.users.search(authOf(req).userId, req.query.q),
  );
}
