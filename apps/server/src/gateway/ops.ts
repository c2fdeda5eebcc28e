import type * as z from 'zod';
import type { BusMessage } from '../bus/bus.js';
import type { AuthContext } from '../features/accounts/accounts.service.js';

export interface OpContext {
  auth: AuthContext;
  /** The gateway session the op came in on (voice belongs to the session that joined). */
  sessionId: string;
}

export interface OpResult {
  /** Sent back as the reply's `d` when the frame had a `ref`. */
  reply?: unknown;
  /** Published on the bus once the op has done its work (and committed). */
  events?: BusMessage[];
}

/** A gateway op: its payload schema and the service call it makes. Features register these. */
export interface OpHandler<S extends z.ZodType = z.ZodType> {
  schema: S;
  handle(ctx: OpContext, d: z.infer<S>): Promise<OpResult>;
}

export type OpRegistry = Map<string, OpHandler>;

export function defineOp<S extends z.ZodType>(handler: OpHandler<S>): OpHandler {
  return handler as unknown as OpHandler;
}
