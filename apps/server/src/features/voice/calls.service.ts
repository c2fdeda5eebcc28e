import { randomUUID } from 'node:crypto';
import type { CallState } from '@decentra/protocol';
import { forbidden, invalidInput, notFound } from '../../infra/errors.js';
import type { Actor } from '../../kernel/actor.js';
import { type Clock, systemClock, type TimerHandle } from '../../kernel/clock.js';
import type { Commands } from '../../kernel/commands.js';
import { type BusMessage, type DispatchMessage, dispatch, toUsers } from '../../kernel/events.js';
import { type Outcome, outcome } from '../../kernel/outcome.js';
import type { Db } from '../../storage/db.js';
import type { FriendsService } from '../friends/friends.service.js';

interface Call {
  id: string;
  caller: Actor;
  callee: bigint;
  state: 'ringing' | 'active';
  timer: TimerHandle | undefined;
}

export const RING_TIMEOUT_MS = 45_000;

/**
 * One-to-one calls between friends: ringing → active, or rejected / missed; ended by either.
 * The media is WebRTC between the two browsers; this only keeps the call's state and lets the
 * two exchange `voice_signal` while it lasts. An unanswered call is missed after the ring
 * timeout, told through the command runner like any other change.
 */
export class CallsService {
  private readonly calls = new Map<string, Call>();

  constructor(
    private readonly db: Db,
    private readonly friends: FriendsService,
    private readonly commands: Commands,
    private readonly ringTimeoutMs = RING_TIMEOUT_MS,
    private readonly clock: Clock = systemClock,
  ) {}

  async start(caller: Actor, calleeId: bigint): Promise<Outcome<{ callId: string }>> {
    if (calleeId === caller.id) throw invalidInput('You cannot call yourself.');
    if (!(await this.friends.areFriends(this.db, caller.id, calleeId)))
      throw forbidden('You can only call your friends.');
    const call: Call = { id: randomUUID(), caller, callee: calleeId, state: 'ringing', timer: undefined };
    this.calls.set(call.id, call);
    call.timer = this.clock.setTimeout(
      () => void this.commands.run(() => this.finish(call, 'missed')),
      this.ringTimeoutMs,
    );
    const from = { id: caller.id.toString(), username: caller.username };
    return outcome({ callId: call.id }, [
      dispatch('call_incoming', { callId: call.id, from }, toUsers(call.callee)),
      this.update(call, 'ringing'),
    ]);
  }

  accept(userId: bigint, callId: string): Outcome<undefined> {
    const call = this.find(callId, userId);
    if (call.callee !== userId || call.state !== 'ringing')
      throw invalidInput('This call is not ringing for you.');
    call.state = 'active';
    call.timer?.cancel();
    return outcome(undefined, [this.update(call, 'active')]);
  }

  reject(userId: bigint, callId: string): Outcome<undefined> {
    const call = this.find(callId, userId);
    if (call.callee !== userId || call.state !== 'ringing')
      throw invalidInput('This call is not ringing for you.');
    return this.finish(call, 'rejected');
  }

  end(userId: bigint, callId: string): Outcome<undefined> {
    return this.finish(this.find(callId, userId), 'ended');
  }

  /** A user whose last socket went away leaves every call they are in. */
  endAllOf(userId: bigint): Outcome<undefined> {
    const events: BusMessage[] = [];
    for (const call of this.calls.values()) {
      if (call.caller.id === userId || call.callee === userId)
        events.push(...this.finish(call, 'ended').events);
    }
    return outcome(undefined, events);
  }

  /** True while the two are the ends of one call (ringing or active). */
  inCallTogether(a: bigint, b: bigint): boolean {
    if (a === b) return false;
    for (const call of this.calls.values()) {
      const ends = [call.caller.id, call.callee];
      if (ends.includes(a) && ends.includes(b)) return true;
    }
    return false;
  }

  private find(callId: string, userId: bigint): Call {
    const call = this.calls.get(callId);
    if (!call || (call.caller.id !== userId && call.callee !== userId)) throw notFound('No such call.');
    return call;
  }

  private finish(call: Call, state: CallState): Outcome<undefined> {
    if (!this.calls.delete(call.id)) return outcome(undefined);
    call.timer?.cancel();
    return outcome(undefined, [this.update(call, state)]);
  }

  private update(call: Call, state: CallState): DispatchMessage {
    return dispatch('call_update', { callId: call.id, state }, toUsers(call.caller.id, call.callee));
  }
}
