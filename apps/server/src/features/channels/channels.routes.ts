import {
  ChannelParamsSchema,
  ChannelSchema,
  CreateChannelBodySchema,
  RenameBodySchema,
  ServerParamsSchema,
} from '@decentra/protocol';
import * as z from 'zod';
import type { Bus } from '../../bus/bus.js';
import { actorOf, requireAuth } from '../../http/auth.js';
import { authedErrors, bearer, publishing } from '../../http/route-kit.js';
import type { App } from '../../http/types.js';
import type { AccountsService } from '../accounts/accounts.service.js';
import type { ChannelsService } from './channels.service.js';

export function channelsRoutes(
  app: App,
  deps: { accounts: AccountsService; channels: ChannelsService; bus: Bus },
): void {
  const { channels, bus } = deps;
  const common = { preHandler: requireAuth(deps.accounts) };
  const tags = ['channels'];

  app.post(
    '/api/servers/:id/channels',
    {
      ...common,
      schema: {
        tags,
        summary: 'Create a text or voice channel (needs createChannel)',
        security: bearer,
        params: ServerParamsSchema,
        body: CreateChannelBodySchema,
        response: { 201: ChannelSchema, ...authedErrors },
      },
    },
    async (req, reply) =>
      reply
        .status(201)
        .send(await publishing(bus, channels.create(actorOf(req), BigInt(req.params.id), req.body))),
  );

  app.patch(
    '/api/channels/:id',
    {
      ...common,
      schema: {
        tags,
        summary: 'Rename a channel (needs editChannel)',
        security: bearer,
        params: ChannelParamsSchema,
        body: RenameBodySchema,
        response: { 200: ChannelSchema, ...authedErrors },
      },
    },
    async (req) => publishing(bus, channels.rename(actorOf(req), BigInt(req.params.id), req.body.name)),
  );

  app.delete(
    '/api/channels/:id',
    {
      ...common,
      schema: {
        tags,
        summary: 'Delete a channel (needs deleteChannel)',
        security: bearer,
        params: ChannelParamsSchema,
        response: { 204: z.null(), ...authedErrors },
      },
    },
    async (req, reply) => {
      await publishing(bus, channels.delete(actorOf(req), BigInt(req.params.id)));
      return reply.status(204).send(null);
    },
  );
}
