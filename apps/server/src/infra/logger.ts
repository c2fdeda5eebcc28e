import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

/**
 * Paths that must never reach a log line. Fastify logs request metadata only (never bodies);
 * these cover the headers and any object a caller might pass by mistake.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  '*.password',
  '*.token',
  '*.inviteCode',
  'password',
  'token',
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options: LoggerOptions = {
    level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    base: { service: 'decentra' },
    serializers: { err: serializeError },
  };
  return destination ? pino(options, destination) : pino(options);
}

/**
 * Errors are logged by type, message and stack, but a failed query's parameters (which can hold
 * hashes, tokens or message bodies) are dropped: Drizzle puts them in both message and stack.
 */
export function serializeError(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { message: String(err) };
  const cause = err.cause instanceof Error ? err.cause : undefined;
  if (err.name === 'DrizzleQueryError' || 'query' in err) {
    return {
      type: err.name,
      message: cause?.message ?? 'query failed',
      code: (cause as { code?: unknown } | undefined)?.code,
      query: (err as { query?: unknown }).query,
    };
  }
  return { ...pino.stdSerializers.err(err) };
}
