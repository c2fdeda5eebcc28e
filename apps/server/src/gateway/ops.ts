import type { OpName, OpPayload, OpReply } from '@decentra/protocol';
import type { AuthContext } from '../kernel/actor.js';

export interface OpContext {
  auth: AuthContext;
  /** The gateway session the op came in on (voice belongs to the session that joined). */
  sessionId: string;
}

/**
 * The handler of op `N`: gets the validated payload, does its work through the command runner
 * (which publishes the events after commit) and answers the reply's `d`.
 */
export type OpHandler<N extends OpName> = (ctx: OpContext, d: OpPayload<N>) => Promise<OpReply<N>>;

/** Handlers for the ops `K`; the app assembles one for every op of the contract. */
export type OpHandlers<K extends OpName = OpName> = { [N in K]: OpHandler<N> };
