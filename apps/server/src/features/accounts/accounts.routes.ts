import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RouteHandlers } from '../../http/api.js';
import type { Commands } from '../../kernel/commands.js';
import type { AccountsService, AuthResult, SignInClient } from './accounts.service.js';
import {
  clearSessionCookie,
  knownDeviceCookie,
  setKnownDeviceCookie,
  setSessionCookie,
} from './session-cookie.js';

export function accountsRoutes(deps: {
  accounts: AccountsService;
  commands: Commands;
  sessionTtlMs: number;
  knownDeviceTtlMs: number;
}): RouteHandlers<'signup' | 'login' | 'logout' | 'me'> {
  const { accounts, commands, sessionTtlMs, knownDeviceTtlMs } = deps;
  /** `req.ip` is the peer, or the address the trusted proxies forwarded (DECENTRA_TRUST_PROXY). */
  const client = (req: FastifyRequest): SignInClient => ({
    address: req.ip,
    knownDevice: knownDeviceCookie(req),
    userAgent: req.headers['user-agent'],
  });
  const signedIn = (
    req: FastifyRequest,
    reply: FastifyReply,
    { token, user, knownDevice, joinedServerId }: AuthResult,
  ) => {
    setSessionCookie(req, reply, token, sessionTtlMs);
    setKnownDeviceCookie(req, reply, knownDevice, knownDeviceTtlMs);
    return { token, user, ...(joinedServerId ? { joinedServerId } : {}) };
  };
  return {
    signup: async ({ body, req, reply }) => signedIn(req, reply, await accounts.signup(body, client(req))),
    login: async ({ body, req, reply }) => signedIn(req, reply, await accounts.login(body, client(req))),
    logout: async ({ auth, req, reply }) => {
      await commands.transaction((tx) => accounts.logout(tx, auth));
      clearSessionCookie(req, reply);
    },
    me: async ({ auth }) => accounts.me(auth.actor.id),
  };
}
