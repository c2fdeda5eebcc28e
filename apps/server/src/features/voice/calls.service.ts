import { randomUUID } from 'node:crypto';
import type { CallState, Call as CallView, UserRef } from '@decentra/protocol';
import { forbidden, invalidInput, notFound } from '../../infra/errors.js';
import type { Actor } from '../../kernel/actor.js';
import { type Clock, systemClock, type TimerHandle } from '../../kernel/clock.js';
import type { Commands } from '../../kernel/commands.js';
import { type BusMessage, type DispatchMessage, dispatch, toUsers } from '../../kernel/events.js';
import { type Outcome, outcome } from '../../kernel/outcome.js';
import type { Db } from '../../storage/db.js';
import type { DmsService } from '../dms/dms.service.js';
import type { FriendsService } from '../friends/friends.service.js';

interface Call {
  id: string;
  caller: Actor;
  callee: bigint;
  calleeRef: UserRef;
  channelId: string;
  state: 'ringing' | 'active';
  startedAt: Date | null;
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
    private readonly dms: DmsService,
    private readonly commands: Commands,
    private readonly ringTimeoutMs = RING_TIMEOUT_MS,
    private readonly clock: Clock = systemClock,
  ) {}

  async start(caller: Actor, calleeId: bigint): Promise<Outcome<{ callId: string }>> {
    if (calleeId === caller.id) throw invalidInput('You cannot call yourself.');
    if (!(await this.friends.areFriends(this.db, caller.id, calleeId)))
      throw forbidden('You can only call your friends.');
    const dm = await this.dms.open(this.db, caller, calleeId);
    const calleeRef = dm.result.recipients?.find((r) => r.id === calleeId.toString());
    if (!calleeRef) throw new Error('a DM without its recipient');
    const call: Call = {
      id: randomUUID(),
      caller,
      callee: calleeId,
      calleeRef,
      channelId: dm.result.id,
      state: 'ringing',
      startedAt: null,
      timer: undefined,
    };
    this.calls.set(call.id, call);
    call.timer = this.clock.setTimeout(
      () => void this.commands.run(() => this.finish(call, 'missed')),
      this.ringTimeoutMs,
    );
    const from = { id: caller.id.toString(), username: caller.username };
    return outcome({ callId: call.id }, [
      ...dm.events,
      dispatch('call_incoming', { callId: call.id, from, channelId: call.channelId }, toUsers(call.callee)),
      this.update(call, 'ringing'),
    ]);
  }

  accept(userId: bigint, callId: string): Outcome<undefined> {
    const call = this.find(callId, userId);
    if (call.callee !== userId || call.state !== 'ringing')
      throw invalidInput('This call is not ringing for you.');
    call.state = 'active';
    call.startedAt = new Date(this.clock.now());
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

  /** The calls this user is in, for `ready`. */
  of(userId: bigint): CallView[] {
    return [...this.calls.values()]
      .filter((c) => c.caller.id === userId || c.callee === userId)
      .map((c) => this.view(c, c.state));
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
    return dispatch('call_update', this.view(call, state), toUsers(call.caller.id, call.callee));
  }

  private view(call: Call, state: CallState): CallView {
    return {
      callId: call.id,
      state,
      caller: { id: call.caller.id.toString(), username: call.caller.username },
      callee: call.calleeRef,
      channelId: call.channelId,
      startedAt: call.startedAt?.toISOString() ?? null,
    };
  }
}
