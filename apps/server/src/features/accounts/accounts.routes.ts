import {
  AuthResponseSchema,
  ErrorBodySchema,
  LoginBodySchema,
  SignupBodySchema,
  UserSchema,
} from '@decentra/protocol';
import * as z from 'zod';
import type { Bus } from '../../bus/bus.js';
import { authOf, requireAuth } from '../../http/auth.js';
import type { App } from '../../http/types.js';
import type { AccountsService } from './accounts.service.js';
import { clearSessionCookie, setSessionCookie } from './session-cookie.js';

export interface AccountsRoutesDeps {
  accounts: AccountsService;
  bus: Bus;
  sessionTtlMs: number;
}

const errors = {
  400: ErrorBodySchema,
  401: ErrorBodySchema,
  403: ErrorBodySchema,
  409: ErrorBodySchema,
  429: ErrorBodySchema,
};

export function accountsRoutes(app: App, { accounts, bus, sessionTtlMs }: AccountsRoutesDeps): void {
  const auth = requireAuth(accounts);

  app.post(
    '/api/auth/signup',
    {
      schema: {
        tags: ['auth'],
        summary: 'Create an account (the first needs no invite code and becomes admin)',
        body: SignupBodySchema,
        response: { 201: AuthResponseSchema, ...errors },
      },
    },
    async (req, reply) => {
      const { token, user, events } = await accounts.signup(req.body, req.ip);
      await bus.publish(events);
      setSessionCookie(req, reply, token, sessionTtlMs);
      return reply.status(201).send({ token, user });
    },
  );

  app.post(
    '/api/auth/login',
    {
      schema: {
        tags: ['auth'],
        summary: 'Log in with username and password',
        body: LoginBodySchema,
        response: { 200: AuthResponseSchema, ...errors },
      },
    },
    async (req, reply) => {
      const { token, user } = await accounts.login(req.body, req.ip);
      setSessionCookie(req, reply, token, sessionTtlMs);
      return { token, user };
    },
  );

  app.post(
    '/api/auth/logout',
    {
      preHandler: auth,
      schema: {
        tags: ['auth'],
        summary: 'Revoke this session everywhere (REST and open sockets, which close with 4009)',
        security: [{ bearer: [] }],
        response: { 204: z.null(), ...errors },
      },
    },
    async (req, reply) => {
      await bus.publish(await accounts.logout(authOf(req)));
      clearSessionCookie(req, reply);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/users/@me',
    {
      preHandler: auth,
      schema: {
        tags: ['users'],
        summary: 'The logged-in user',
        security: [{ bearer: [] }],
        response: { 200: UserSchema, ...errors },
      },
    },
    async (req) => accounts.me(authOf(req).userId),
  );
}
