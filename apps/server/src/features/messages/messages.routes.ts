import {
  ChannelParamsSchema,
  EditMessageBodySchema,
  HistoryQuerySchema,
  MessageParamsSchema,
  MessageSchema,
  SendMessageBodySchema,
} from '@decentra/protocol';
import * as z from 'zod';
import type { Bus } from '../../bus/bus.js';
import { actorOf, requireAuth } from '../../http/auth.js';
import { authedErrors, bearer, publishing } from '../../http/route-kit.js';
import type { App } from '../../http/types.js';
import type { AccountsService } from '../accounts/accounts.service.js';
import type { MessagesService } from './messages.service.js';

export function messagesRoutes(
  app: App,
  deps: { accounts: AccountsService; messages: MessagesService; bus: Bus },
): void {
  const { messages, bus } = deps;
  const common = { preHandler: requireAuth(deps.accounts) };
  const tags = ['messages'];

  app.get(
    '/api/channels/:id/messages',
    {
      ...common,
      schema: {
        tags,
        summary: 'History: a page of up to `limit` (≤ 100) messages before/after an id, oldest first',
        security: bearer,
        params: ChannelParamsSchema,
        querystring: HistoryQuerySchema,
        response: { 200: z.array(MessageSchema), ...authedErrors },
      },
    },
    async (req) => messages.history(actorOf(req).id, BigInt(req.params.id), req.query),
  );

  app.post(
    '/api/channels/:id/messages',
    {
      ...common,
      schema: {
        tags,
        summary: 'Send a message; the same nonce from the same author returns the first message',
        security: bearer,
        params: ChannelParamsSchema,
        body: SendMessageBodySchema,
        response: { 201: MessageSchema, ...authedErrors },
      },
    },
    async (req, reply) =>
      reply
        .status(201)
        .send(await publishing(bus, messages.send(actorOf(req), BigInt(req.params.id), req.body))),
  );

  app.patch(
    '/api/channels/:id/messages/:mid',
    {
      ...common,
      schema: {
        tags,
        summary: 'Edit my message',
        security: bearer,
        params: MessageParamsSchema,
        body: EditMessageBodySchema,
        response: { 200: MessageSchema, ...authedErrors },
      },
    },
    async (req) =>
      publishing(
        bus,
        messages.edit(actorOf(req), BigInt(req.params.id), BigInt(req.params.mid), req.body.content),
      ),
  );

  app.delete(
    '/api/channels/:id/messages/:mid',
    {
      ...common,
      schema: {
        tags,
        summary: 'Delete a message (its author, or the server owner)',
        security: bearer,
        params: MessageParamsSchema,
        response: { 204: z.null(), ...authedErrors },
      },
    },
    async (req, reply) => {
      await publishing(bus, messages.delete(actorOf(req), BigInt(req.params.id), BigInt(req.params.mid)));
      return reply.status(204).send(null);
    },
  );
}
