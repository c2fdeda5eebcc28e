import {
  MemberParamsSchema,
  MemberSchema,
  ServerParamsSchema,
  UpdateMemberBodySchema,
} from '@decentra/protocol';
import * as z from 'zod';
import type { Bus } from '../../bus/bus.js';
import { actorOf, requireAuth } from '../../http/auth.js';
import { authedErrors, bearer, publishing } from '../../http/route-kit.js';
import type { App } from '../../http/types.js';
import type { AccountsService } from '../accounts/accounts.service.js';
import type { MembersService } from './members.service.js';

export function membersRoutes(
  app: App,
  deps: { accounts: AccountsService; members: MembersService; bus: Bus },
): void {
  const { members, bus } = deps;
  const common = { preHandler: requireAuth(deps.accounts) };
  const tags = ['members'];
  const target = (req: { params: { userId: string } }, me: bigint) =>
    req.params.userId === '@me' ? me : BigInt(req.params.userId);

  app.get(
    '/api/servers/:id/members',
    {
      ...common,
      schema: {
        tags,
        summary: 'Members with owner flag and permissions',
        security: bearer,
        params: ServerParamsSchema,
        response: { 200: z.array(MemberSchema), ...authedErrors },
      },
    },
    async (req) => members.list(actorOf(req), BigInt(req.params.id)),
  );

  app.patch(
    '/api/servers/:id/members/:userId',
    {
      ...common,
      schema: {
        tags,
        summary: "Set a member's channel permissions (owner)",
        security: bearer,
        params: MemberParamsSchema,
        body: UpdateMemberBodySchema,
        response: { 200: MemberSchema, ...authedErrors },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      return publishing(
        bus,
        members.updatePermissions(actor, BigInt(req.params.id), target(req, actor.id), req.body),
      );
    },
  );

  app.delete(
    '/api/servers/:id/members/:userId',
    {
      ...common,
      schema: {
        tags,
        summary: 'Kick a member (owner), or leave with @me',
        security: bearer,
        params: MemberParamsSchema,
        response: { 204: z.null(), ...authedErrors },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      await publishing(bus, members.remove(actor, BigInt(req.params.id), target(req, actor.id)));
      return reply.status(204).send(null);
    },
  );
}
