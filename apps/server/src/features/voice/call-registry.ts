import type { UserRef } from '@decentra/protocol';
import type { Actor } from '../../kernel/actor.js';

/** A call as every instance sees it; each end's session with the instance holding it. */
export interface StoredCall {
  id: string;
  caller: Actor;
  callerSession: string;
  callerInstance: string;
  callee: bigint;
  calleeRef: UserRef;
  /** The session that answered (none while it rings: every tab of the callee rings). */
  calleeSession: string | undefined;
  calleeInstance: string | undefined;
  channelId: bigint;
  state: 'ringing' | 'active';
  /** When it was answered (the answering instance's clock, in milliseconds). */
  answeredAt: number | undefined;
}

export type NewCall = Omit<
  StoredCall,
  'callerInstance' | 'calleeSession' | 'calleeInstance' | 'state' | 'answeredAt'
>;

/** Which calls a `finish` may end: any, one still ringing, or one ringing for `userId` (a decline). */
export type FinishIf = { state: 'any' } | { state: 'ringing' } | { state: 'ringing'; callee: bigint };

/**
 * The calls of every instance: a user is in one at most, as either end. Starting (with `busy`
 * checked for both ends), answering and ending are each one atomic step, and ending answers the
 * call it ended, so of two instances ending one call (a hang-up and the ring timeout, a reaper
 * and a hang-up) exactly one hears it and tells it.
 */
export interface CallRegistry {
  /** Rings, from a session of this instance; `busy` when either end is already in a call. */
  start(call: NewCall): Promise<'ok' | 'caller_busy' | 'callee_busy'>;
  /** The callee answers from a session of this instance; undefined when it is not ringing for them. */
  accept(callId: string, userId: bigint, sessionId: string, at: number): Promise<StoredCall | undefined>;
  /** Ends the call if it matches `only`; the call as it was, or undefined when nothing was ended. */
  finish(callId: string, only: FinishIf): Promise<StoredCall | undefined>;
  get(callId: string): Promise<StoredCall | undefined>;
  /** The call this user is in, either end. */
  of(userId: bigint): Promise<StoredCall | undefined>;
  /** Ends the calls that a session of this instance started or answered. */
  endSession(sessionId: string): Promise<StoredCall[]>;
  /** Ends the calls of instances whose last heartbeat is older than `deadAfterMs` (each once). */
  reap(now: number, deadAfterMs: number): Promise<StoredCall[]>;
}

/** A call may be ended as `only` says. */
export function matches(call: StoredCall, only: FinishIf): boolean {
  if (only.state === 'any') return true;
  return call.state === 'ringing' && (!('callee' in only) || only.callee === call.callee);
}

/** One instance: calls in this process's memory, as before there were several. */
export class MemoryCallRegistry implements CallRegistry {
  private readonly calls = new Map<string, StoredCall>();

  async start(call: NewCall): Promise<'ok' | 'caller_busy' | 'callee_busy'> {
    if (this.find(call.caller.id)) return 'caller_busy';
    if (this.find(call.callee)) return 'callee_busy';
    this.calls.set(call.id, {
      ...call,
      callerInstance: 'local',
      calleeSession: undefined,
      calleeInstance: undefined,
      state: 'ringing',
      answeredAt: undefined,
    });
    return 'ok';
  }

  async accept(callId: string, userId: bigint, sessionId: string, at: number) {
    const call = this.calls.get(callId);
    if (!call || call.callee !== userId || call.state !== 'ringing') return undefined;
    const active: StoredCall = {
      ...call,
      state: 'active',
      calleeSession: sessionId,
      calleeInstance: 'local',
      answeredAt: at,
    };
    this.calls.set(callId, active);
    return active;
  }

  async finish(callId: string, only: FinishIf): Promise<StoredCall | undefined> {
    const call = this.calls.get(callId);
    if (!call || !matches(call, only)) return undefined;
    this.calls.delete(callId);
    return call;
  }

  async get(callId: string): Promise<StoredCall | undefined> {
    return this.calls.get(callId);
  }

  async of(userId: bigint): Promise<StoredCall | undefined> {
    return this.find(userId);
  }

  async endSession(sessionId: string): Promise<StoredCall[]> {
    const ending = [...this.calls.values()].filter(
      (c) => c.callerSession === sessionId || c.calleeSession === sessionId,
    );
    for (const c of ending) this.calls.delete(c.id);
    return ending;
  }

  async reap(): Promise<StoredCall[]> {
    return [];
  }

  private find(userId: bigint): StoredCall | undefined {
    for (const call of this.calls.values()) {
      if (call.caller.id === userId || call.callee === userId) return call;
    }
    return undefined;
  }
}
