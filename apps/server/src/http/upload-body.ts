import type { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, invalidInput } from '../infra/errors.js';
import type { App } from './types.js';

/** What an upload route's handler reads: the request's bytes, and as many as were announced. */
export interface UploadBody {
  stream: Readable;
  /** `Content-Length`: the stream ends after exactly this many bytes (Node's parser holds it to that). */
  length: number;
}

/**
 * In this (encapsulated) context every body, of any media type, is handed to the handler as the
 * request stream itself: nothing is read or buffered before the handler decides to.
 */
export function acceptRawBodies(app: App): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_req, payload, done) => done(null, payload));
}

const DIGITS = /^\d{1,16}$/;

/**
 * The route options of an upload: the declared length is checked before a byte is read (a
 * chunked body, whose size nobody knows up front, is refused), so a file over the cap is
 * refused at once instead of after it was sent. An answer given before the whole body arrived
 * (a refusal) closes the connection: otherwise it would wait for, and read, the rest of a file
 * nobody wants.
 */
export function uploadBody(maxBytes: number) {
  return {
    preParsing: async (req: FastifyRequest, _reply: FastifyReply, payload: Readable) => {
      const declared = req.headers['content-length'];
      if (
        declared === undefined ||
        !DIGITS.test(declared) ||
        req.headers['transfer-encoding'] !== undefined
      ) {
        throw invalidInput('Send the file with its size in Content-Length (not chunked).');
      }
      if (Number(declared) > maxBytes) {
        throw new DomainError('payload_too_large', `A file may be at most ${maxBytes} bytes.`);
      }
      return payload;
    },
    onSend: async (req: FastifyRequest, reply: FastifyReply) => {
      if (!req.raw.complete) reply.header('connection', 'close');
    },
  };
}
