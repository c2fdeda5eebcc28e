import {
  CreateServerBodySchema,
  CreateServerInviteBodySchema,
  JoinServerBodySchema,
  RenameBodySchema,
  ServerInviteSchema,
  ServerParamsSchema,
  ServerSchema,
} from '@decentra/protocol';
import * as z from 'zod';
import type { Bus } from '../../bus/bus.js';
import { actorOf, requireAuth } from '../../http/auth.js';
import { authedErrors, bearer, publishing } from '../../http/route-kit.js';
import type { App } from '../../http/types.js';
import type { AccountsService } from '../accounts/accounts.service.js';
import type { ServersService } from './servers.service.js';

export function serversRoutes(
  app: App,
  deps: { accounts: AccountsService; servers: ServersService; bus: Bus },
): void {
  const { servers, bus } = deps;
  const common = { preHandler: requireAuth(deps.accounts) };
  const tags = ['servers'];

  app.get(
    '/api/servers',
    {
      ...common,
      schema: {
        tags,
        summary: 'Servers I am a member of',
        security: bearer,
        response: { 200: z.array(ServerSchema), ...authedErrors },
      },
    },
    async (req) => servers.list(actorOf(req).id),
  );

  app.post(
    '/api/servers',
    {
      ...common,
      schema: {
        tags,
        summary: 'Create a server (with a text channel "general" and a voice channel "General")',
        security: bearer,
        body: CreateServerBodySchema,
        response: { 201: ServerSchema, ...authedErrors },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await publishing(bus, servers.create(actorOf(req), req.body.name))),
  );

  app.post(
    '/api/servers/join',
    {
      ...common,
      schema: {
        tags,
        summary: 'Join a server with an invite code',
        security: bearer,
        body: JoinServerBodySchema,
        response: { 200: ServerSchema, ...authedErrors },
      },
    },
    async (req) => publishing(bus, servers.join(actorOf(req), req.body.inviteCode)),
  );

  app.get(
    '/api/servers/:id',
    {
      ...common,
      schema: {
        tags,
        summary: 'A server with its channels and my permissions',
        security: bearer,
        params: ServerParamsSchema,
        response: { 200: ServerSchema, ...authedErrors },
      },
    },
    async (req) => servers.get(actorOf(req).id, BigInt(req.params.id)),
  );

  app.patch(
    '/api/servers/:id',
    {
      ...common,
      schema: {
        tags,
        summary: 'Rename a server (owner)',
        security: bearer,
        params: ServerParamsSchema,
        body: RenameBodySchema,
        response: { 200: ServerSchema, ...authedErrors },
      },
    },
    async (req) => publishing(bus, servers.rename(actorOf(req), BigInt(req.params.id), req.body.name)),
  );

  app.delete(
    '/api/servers/:id',
    {
      ...common,
      schema: {
        tags,
        summary: 'Delete a server (owner)',
        security: bearer,
        params: ServerParamsSchema,
        response: { 204: z.null(), ...authedErrors },
      },
    },
    async (req, reply) => {
      await publishing(bus, servers.delete(actorOf(req), BigInt(req.params.id)));
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/servers/:id/invites',
    {
      ...common,
      schema: {
        tags,
        summary:
          'Make a server invite (owner): single use unless maxUses (1–100), optional expiresAt (≤ 7 days)',
        security: bearer,
        params: ServerParamsSchema,
        body: CreateServerInviteBodySchema.nullish(),
        response: { 201: ServerInviteSchema, ...authedErrors },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await servers.createInvite(actorOf(req), BigInt(req.params.id), req.body ?? {})),
  );
}
