import type { RouteHandlers } from '../../http/api.js';
import type { Commands } from '../../kernel/commands.js';
import type { AccountsService } from './accounts.service.js';
import { clearSessionCookie, setSessionCookie } from './session-cookie.js';

export function accountsRoutes(deps: {
  accounts: AccountsService;
  commands: Commands;
  sessionTtlMs: number;
}): RouteHandlers<'signup' | 'login' | 'logout' | 'me'> {
  const { accounts, commands, sessionTtlMs } = deps;
  return {
    signup: async ({ body, req, reply }) => {
      const { token, user } = await accounts.signup(body, req.ip);
      setSessionCookie(req, reply, token, sessionTtlMs);
      return { token, user };
    },
    login: async ({ body, req, reply }) => {
      const { token, user } = await accounts.login(body, req.ip);
      setSessionCookie(req, reply, token, sessionTtlMs);
      return { token, user };
    },
    logout: async ({ auth, req, reply }) => {
      await commands.transaction((tx) => accounts.logout(tx, auth));
      clearSessionCookie(req, reply);
    },
    me: async ({ auth }) => accounts.me(auth.actor.id),
  };
}
