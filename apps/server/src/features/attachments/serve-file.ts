import type { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ByteRange } from '../../infra/blob-store/blob-store.js';
import { notFound } from '../../infra/errors.js';
import type { ServedFile } from './attachments.service.js';

/** Shown in the page (an `<img>`, `<video>`, `<audio>`): types whose decoders run no script. */
const INLINE_TYPES = new Set([
  'image/jpeg',
  'image/png',
  'image/webp',
  'image/gif',
  'image/avif',
  'video/mp4',
  'video/webm',
  'video/ogg',
  'audio/mpeg',
  'audio/wav',
  'audio/ogg',
  'audio/opus',
  'audio/flac',
  'audio/aac',
  'audio/mp4',
  'audio/webm',
]);

/**
 * Headers that keep a served file from ever running: the detected type (never the uploader's),
 * no sniffing, a sandbox with nothing allowed even when it is opened as a page, and a download
 * for anything that is not a plain image, video or audio.
 */
function fileHeaders(reply: FastifyReply, file: ServedFile): void {
  const inline = INLINE_TYPES.has(file.contentType);
  const name = file.variant === 'preview' ? `${file.row.filename}.preview.webp` : file.row.filename;
  reply.type(file.contentType);
  reply.header('x-content-type-options', 'nosniff');
  reply.header('content-security-policy', "sandbox; default-src 'none'");
  reply.header('content-disposition', contentDisposition(name, inline ? 'inline' : 'attachment'));
  reply.header('cross-origin-resource-policy', 'same-origin');
  // Its bytes never change under this URL; it is someone's, so no shared cache keeps it.
  reply.header('cache-control', 'private, max-age=3600');
  reply.header('accept-ranges', 'bytes');
}

/**
 * `Content-Disposition` with the name as RFC 6266 wants it: an ASCII fallback (`filename`, for old
 * clients) and the exact name percent-encoded as UTF-8 (`filename*`, which every browser prefers).
 */
export function contentDisposition(name: string, type: 'inline' | 'attachment'): string {
  const fallback = name.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const encoded = encodeURIComponent(name).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `${type}; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

/** A single `bytes=` range within `size`; undefined (the whole file) for anything else. */
export function parseRange(header: string | undefined, size: number): ByteRange | undefined {
  const match = header === undefined ? null : /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || size === 0) return undefined;
  const [, from = '', to = ''] = match;
  if (from === '' && to === '') return undefined;
  if (from === '') {
    const suffix = Math.min(Number(to), size);
    return suffix === 0 ? undefined : { start: size - suffix, end: size - 1 };
  }
  const start = Number(from);
  const end = to === '' ? size - 1 : Math.min(Number(to), size - 1);
  // Unsatisfiable: the whole file is answered instead (a server may ignore a Range).
  return start > end || start >= size ? undefined : { start, end };
}

export async function sendFile(
  req: FastifyRequest,
  reply: FastifyReply,
  file: ServedFile,
): Promise<Readable> {
  fileHeaders(reply, file);
  const range = parseRange(req.headers.range, file.size);
  const stream = await file.open(range);
  if (!stream) throw notFound('No such file.');
  if (range) {
    reply.status(206);
    reply.header('content-range', `bytes ${range.start}-${range.end}/${file.size}`);
    reply.header('content-length', String(range.end - range.start + 1));
  } else {
    reply.header('content-length', String(file.size));
  }
  return stream as Readable;
}
