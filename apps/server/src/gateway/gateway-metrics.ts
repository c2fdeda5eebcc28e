/** How a resume ended: re-attached, refused (unknown session, another login), or too late (expired, events dropped). */
export type ResumeOutcome = 'resumed' | 'invalid_session' | 'too_late';

/**
 * What the gateway counts for `/metrics` (open sockets and identifies are read from outside: the
 * connection count and the sessions hook). Calls cost a counter increment; no-ops by default.
 */
export interface GatewayMetrics {
  resume(outcome: ResumeOutcome): void;
  /** Event frames numbered for sessions (sent, or buffered for a detached one). */
  dispatched(copies: number): void;
  /** A socket closed with 4011 for holding too much unsent output. */
  slowConsumerClosed(): void;
}

export const NO_GATEWAY_METRICS: GatewayMetrics = {
  resume: () => {},
  dispatched: () => {},
  slowConsumerClosed: () => {},
};
