import { CSRF_HEADER, CSRF_HEADER_VALUE, SESSION_COOKIE } from '@decentra/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { forbidden, unauthorized } from '../infra/errors.js';
import type { AuthContext, Authenticate } from '../kernel/actor.js';

declare module 'fastify' {
  interface FastifyRequest {
    auth: AuthContext | null;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The token a request carries: `Authorization: Bearer …` first, else the session cookie. */
export function requestToken(req: FastifyRequest): { token: string; via: 'bearer' | 'cookie' } | undefined {
  const header = req.headers.authorization;
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    return match?.[1] ? { token: match[1], via: 'bearer' } : undefined;
  }
  const cookie = req.cookies?.[SESSION_COOKIE];
  return cookie ? { token: cookie, via: 'cookie' } : undefined;
}

/** preHandler for routes that need a logged-in user. Cookie-authenticated writes need the CSRF header. */
export function requireAuth(authenticate: Authenticate) {
  return async (req: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const found = requestToken(req);
    if (!found) throw unauthorized();
    const auth = await authenticate(found.token);
    if (!auth) throw unauthorized('Your session has expired or was revoked. Log in again.');
    if (
      found.via === 'cookie' &&
      !SAFE_METHODS.has(req.method) &&
      req.headers[CSRF_HEADER] !== CSRF_HEADER_VALUE
    ) {
      throw forbidden(
        `Cookie-authenticated requests that change state must send "X-Requested-With: ${CSRF_HEADER_VALUE}".`,
        { reason: 'csrf' },
      );
    }
    req.auth = auth;
  };
}

/** preHandler after `requireAuth` for the admin's routes. */
export async function requireAdmin(req: FastifyRequest): Promise<void> {
  if (!req.auth?.user.isAdmin) throw forbidden('Only the admin can do that.');
}
