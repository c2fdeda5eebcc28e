/**
 * Whether an error means "the database cannot be reached right now" (a restart, a failover,
 * `pg_terminate_backend`, a refused connection) rather than a fault in the request: such requests
 * answer 503 `unavailable`, and nothing is logged as a bug. Drizzle wraps driver errors (`cause`).
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code: unknown = Reflect.get(e, 'code');
    if (typeof code === 'string') {
      if (NETWORK_CODES.has(code) || SQLSTATES.has(code) || code.startsWith('08')) return true;
      if (code === '55000' && /not currently accepting connections/.test(e.message)) return true;
    }
    if (DRIVER_MESSAGES.some((m) => e instanceof Error && e.message.includes(m))) return true;
  }
  return false;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
]);
/** admin_shutdown, crash_shutdown, cannot_connect_now, too_many_connections. */
const SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);
/** node-postgres's own words when a connection died or none could be had. */
const DRIVER_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error and is not queryable',
  'Cannot use a pool after calling end on the pool',
];
