import {
  ErrorBodySchema,
  FriendParamsSchema,
  FriendRequestParamsSchema,
  FriendRequestSchema,
  FriendsSchema,
  SendFriendRequestBodySchema,
  UserRefSchema,
} from '@decentra/protocol';
import * as z from 'zod';
import type { Bus } from '../../bus/bus.js';
import { authOf, requireAuth } from '../../http/auth.js';
import type { App } from '../../http/types.js';
import type { AccountsService } from '../accounts/accounts.service.js';
import type { FriendsService } from './friends.service.js';

export interface FriendsRoutesDeps {
  accounts: AccountsService;
  friends: FriendsService;
  bus: Bus;
}

const errors = {
  400: ErrorBodySchema,
  401: ErrorBodySchema,
  403: ErrorBodySchema,
  404: ErrorBodySchema,
  409: ErrorBodySchema,
};
const common = { tags: ['friends'], security: [{ bearer: [] }] };

export function friendsRoutes(app: App, { accounts, friends, bus }: FriendsRoutesDeps): void {
  const preHandler = requireAuth(accounts);

  app.get(
    '/api/friends',
    {
      preHandler,
      schema: {
        ...common,
        summary: 'Your friends and the friend requests waiting on either side',
        response: { 200: FriendsSchema, ...errors },
      },
    },
    async (req) => friends.list(authOf(req).userId),
  );

  app.post(
    '/api/friends/requests',
    {
      preHandler,
      schema: {
        ...common,
        summary: 'Ask someone to be friends (if they had already asked you, you become friends at once)',
        body: SendFriendRequestBodySchema,
        response: { 201: FriendRequestSchema, ...errors },
      },
    },
    async (req, reply) => {
      const { request, events } = await friends.sendRequest(authOf(req), req.body.username);
      await bus.publish(events);
      return reply.status(201).send(request);
    },
  );

  app.post(
    '/api/friends/requests/:id/accept',
    {
      preHandler,
      schema: {
        ...common,
        summary: 'Accept a friend request you received; answers the new friend',
        params: FriendRequestParamsSchema,
        response: { 200: UserRefSchema, ...errors },
      },
    },
    async (req) => {
      const { friend, events } = await friends.accept(authOf(req).userId, req.params.id);
      await bus.publish(events);
      return friend;
    },
  );

  app.delete(
    '/api/friends/requests/:id',
    {
      preHandler,
      schema: {
        ...common,
        summary: 'Decline (receiver) or cancel (sender) a friend request',
        params: FriendRequestParamsSchema,
        response: { 204: z.null(), ...errors },
      },
    },
    async (req, reply) => {
      await bus.publish(await friends.deleteRequest(authOf(req).userId, req.params.id));
      return reply.status(204).send(null);
    },
  );

  app.delete(
    '/api/friends/:userId',
    {
      preHandler,
      schema: {
        ...common,
        summary: 'Stop being friends with a user',
        params: FriendParamsSchema,
        response: { 204: z.null(), ...errors },
      },
    },
    async (req, reply) => {
      await bus.publish(await friends.removeFriend(authOf(req).userId, req.params.userId));
      return reply.status(204).send(null);
    },
  );
}
