import { createReadStream } from 'node:fs';
import type { RouteHandlers } from '../../http/api.js';
import { DomainError } from '../../infra/errors.js';
import type { MediaProxy } from './media-proxy.js';

/**
 * Serves proxied media so that it can only ever be a picture or a video: the type found in the
 * bytes, `nosniff` (set for every answer), a sandboxing CSP in case it is opened as a page, and a
 * private cache lifetime (the URL is signed and its bytes are kept: they do not change for us).
 * Videos are served with Range from the cached file (seeking, and Chromium's first probe).
 */
export function mediaProxyRoutes(deps: { proxy: MediaProxy }): RouteHandlers<'mediaProxy'> {
  return {
    mediaProxy: async ({ query, req, reply }) => {
      const media = await deps.proxy.get(query.url, query.sig);
      const file = deps.proxy.file(media);
      reply.type(media.type);
      reply.header('content-security-policy', "sandbox; default-src 'none'");
      reply.header('cache-control', 'private, max-age=604800, immutable');
      reply.header('cross-origin-resource-policy', 'same-origin');
      reply.header('content-disposition', 'inline');
      reply.header('accept-ranges', 'bytes');
      const range = parseRange(req.headers.range, media.size);
      if (range === 'unsatisfiable') {
        reply.header('content-range', `bytes */${media.size}`);
        throw new DomainError('invalid_input', 'That range is outside the file.');
      }
      if (range) {
        reply.status(206);
        reply.header('content-range', `bytes ${range.start}-${range.end}/${media.size}`);
        reply.header('content-length', range.end - range.start + 1);
        return createReadStream(file, range);
      }
      reply.header('content-length', media.size);
      return createReadStream(file);
    },
  };
}

/** One `bytes=a-b` / `bytes=a-` / `bytes=-n` range; several ranges are answered whole. */
function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | 'unsatisfiable' | undefined {
  const match = header === undefined ? null : /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  let start: number;
  let end: number;
  if (match[1] === '') {
    start = Math.max(0, size - Number(match[2]));
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  }
  if (start >= size || start > end) return 'unsatisfiable';
  return { start, end };
}
