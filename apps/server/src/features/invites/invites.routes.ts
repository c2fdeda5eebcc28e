import { ErrorBodySchema, InviteResponseSchema } from '@decentra/protocol';
import { authOf, requireAuth } from '../../http/auth.js';
import type { App } from '../../http/types.js';
import type { AccountsService } from '../accounts/accounts.service.js';
import type { InvitesService } from './invites.service.js';

export function invitesRoutes(app: App, deps: { accounts: AccountsService; invites: InvitesService }): void {
  app.post(
    '/api/invites',
    {
      preHandler: requireAuth(deps.accounts),
      schema: {
        tags: ['invites'],
        summary: 'Make a single-use signup invite code',
        security: [{ bearer: [] }],
        response: { 201: InviteResponseSchema, 401: ErrorBodySchema, 403: ErrorBodySchema },
      },
    },
    async (req, reply) => reply.status(201).send(await deps.invites.createSignupInvite(authOf(req).userId)),
  );
}
