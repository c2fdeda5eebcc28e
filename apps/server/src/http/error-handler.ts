import type { ErrorBody, ErrorCode } from '@decentra/protocol';
import { ERROR_STATUS } from '@decentra/protocol';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { isDatabaseUnavailable } from '../infra/database-unavailable.js';
import { DomainError } from '../infra/errors.js';

export function errorBody(code: ErrorCode, message: string, details?: unknown): ErrorBody {
  return { error: { code, message, ...(details === undefined ? {} : { details }) } };
}

function send(reply: FastifyReply, code: ErrorCode, message: string, details?: unknown): FastifyReply {
  return reply
    .status(ERROR_STATUS[code])
    .type('application/json')
    .send(errorBody(code, message, details));
}

/** Every failure leaves as the contract's error shape; internals are logged, never shown. */
export function handleError(
  err: FastifyError | Error,
  req: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  if (err instanceof DomainError) {
    if (err.retryAfter !== undefined) reply.header('retry-after', String(err.retryAfter));
    return send(reply, err.code, err.message, err.details);
  }
  if (hasZodFastifySchemaValidationErrors(err)) {
    const where = err.validationContext ?? 'body';
    const issues = err.validation.map((v) => ({
      path: v.instancePath.replace(/^\//, '').replaceAll('/', '.'),
      message: v.message ?? 'is invalid',
    }));
    const first = issues[0];
    const message = first ? `${first.path || where}: ${first.message}` : `Invalid ${where}.`;
    return send(reply, 'invalid_input', message, { issues });
  }
  const fe = err as FastifyError;
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
    return send(reply, 'payload_too_large', 'The request body is too large.');
  if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return send(reply, 'invalid_input', 'Send the body as JSON (Content-Type: application/json).');
  }
  if (fe.code === 'FST_ERR_CTP_EMPTY_JSON_BODY')
    return send(reply, 'invalid_input', 'The JSON body is empty.');
  if (err instanceof SyntaxError || fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
    return send(reply, 'invalid_input', 'The body is not valid JSON.');
  }
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    if (fe.statusCode === 413) return send(reply, 'payload_too_large', 'The request is too large.');
    if (fe.statusCode === 429) return send(reply, 'rate_limited', 'Too many requests. Try again later.');
    return send(reply, 'invalid_input', 'The request is not valid.');
  }
  if (isDatabaseUnavailable(err)) {
    req.log.warn({ err }, 'the database is unreachable');
    reply.header('retry-after', '5');
    return send(reply, 'unavailable', 'The database cannot be reached right now. Try again in a moment.');
  }
  req.log.error({ err }, 'unhandled error');
  return send(reply, 'internal', 'Something went wrong on the server.');
}
