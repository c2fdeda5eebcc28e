import { KNOWN_DEVICE_COOKIE, SESSION_COOKIE } from '@decentra/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** The web client's session: HttpOnly, SameSite=Strict, Secure whenever the request came over TLS. */
export function setSessionCookie(
  req: FastifyRequest,
  reply: FastifyReply,
  token: string,
  maxAgeMs: number,
): void {
  reply.setCookie(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'strict',
    secure: req.protocol === 'https',
    path: '/',
    maxAge: Math.floor(maxAgeMs / 1000),
  });
}

export function clearSessionCookie(req: FastifyRequest, reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, {
    httpOnly: true,
    sameSite: 'strict',
    secure: req.protocol === 'https',
    path: '/',
  });
}

/** Sent only to the auth routes (the login is where it is read); kept at logout: the browser stays known. */
const KNOWN_DEVICE_PATH = '/api/auth';

export function setKnownDeviceCookie(
  req: FastifyRequest,
  reply: FastifyReply,
  value: string,
  maxAgeMs: number,
): void {
  reply.setCookie(KNOWN_DEVICE_COOKIE, value, {
    httpOnly: true,
    sameSite: 'strict',
    secure: req.protocol === 'https',
    path: KNOWN_DEVICE_PATH,
    maxAge: Math.floor(maxAgeMs / 1000),
  });
}

export function knownDeviceCookie(req: FastifyRequest): string | undefined {
  return req.cookies?.[KNOWN_DEVICE_COOKIE];
}
