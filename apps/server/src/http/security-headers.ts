import type { FastifyInstance } from 'fastify';

/**
 * The web app's policy: nothing but our own scripts and styles, pictures and videos from our own
 * origin only (other hosts' media come through the media proxy, so readers' addresses never reach
 * them; `blob:` images are the composer's thumbnails of files being uploaded), frames only from
 * youtube-nocookie, never framed. JSON answers get the same headers (harmless, and simpler).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "media-src 'self'",
  'frame-src https://www.youtube-nocookie.com',
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** The app's policy with `sources` added to one of its directives (for one route that needs more). */
export function policyAllowing(directive: string, sources: readonly string[]): string {
  return CONTENT_SECURITY_POLICY.split('; ')
    .map((d) => (d.split(' ')[0] === directive ? [d, ...sources].join(' ') : d))
    .join('; ');
}

/** A year, as browsers' preload lists expect; no includeSubDomains (other hosts are not ours to bind). */
const HSTS = 'max-age=31536000';
const LOCAL_HOSTS = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/i;

export interface SecurityHeaderOptions {
  /**
   * Send Strict-Transport-Security on https answers (not for localhost). Off with the self-signed
   * certificate: a browser that has seen HSTS no longer lets its user past a certificate warning,
   * and that warning is how a self-signed install is reached.
   */
  hsts: boolean;
}

export function registerSecurityHeaders(app: FastifyInstance, options: SecurityHeaderOptions): void {
  app.addHook('onSend', async (req, reply, payload) => {
    // `protocol` is https behind a trusted proxy that terminated TLS too (X-Forwarded-Proto).
    if (options.hsts && req.protocol === 'https' && !LOCAL_HOSTS.test(req.host))
      reply.header('strict-transport-security', HSTS);
    // API answers are about someone: never kept by a browser or a shared cache.
    if (req.url.startsWith('/api/') && !reply.hasHeader('cache-control'))
      reply.header('cache-control', 'no-store');
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('x-frame-options', 'DENY');
    reply.header('cross-origin-opener-policy', 'same-origin');
    // A route with its own policy (the API docs page) keeps it.
    if (!reply.hasHeader('content-security-policy'))
      reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
    return payload;
  });
}
