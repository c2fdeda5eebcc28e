import { randomUUID } from 'node:crypto';
import type { CallState } from '@decentra/protocol';
import { type BusMessage, dispatch } from '../../bus/bus.js';
import { forbidden, invalidInput, notFound } from '../../infra/errors.js';
import type { Db } from '../../storage/db.js';
import { areFriends } from '../friends/friends.repo.js';

interface Call {
  id: string;
  caller: { id: string; username: string };
  callee: string;
  state: 'ringing' | 'active';
  timer: NodeJS.Timeout | undefined;
}

export const RING_TIMEOUT_MS = 45_000;

/**
 * One-to-one calls between friends: ringing → active, or rejected / missed; ended by either.
 * The media is WebRTC between the two browsers; this only keeps the call's state and lets the
 * two exchange `voice_signal` while it lasts.
 */
export class CallsService {
  private readonly calls = new Map<string, Call>();

  constructor(
    private readonly db: Db,
    private readonly publish: (events: BusMessage[]) => Promise<void>,
    private readonly ringTimeoutMs = RING_TIMEOUT_MS,
  ) {}

  async start(
    caller: { id: bigint; username: string },
    calleeId: bigint,
  ): Promise<{ callId: string; events: BusMessage[] }> {
    if (calleeId === caller.id) throw invalidInput('You cannot call yourself.');
    if (!(await areFriends(this.db, caller.id, calleeId))) throw forbidden('You can only call your friends.');
    const call: Call = {
      id: randomUUID(),
      caller: { id: caller.id.toString(), username: caller.username },
      callee: calleeId.toString(),
      state: 'ringing',
      timer: undefined,
    };
    this.calls.set(call.id, call);
    call.timer = setTimeout(() => void this.publish(this.finish(call, 'missed')), this.ringTimeoutMs);
    call.timer.unref();
    return {
      callId: call.id,
      events: [
        dispatch(
          'call_incoming',
          { callId: call.id, from: call.caller },
          { kind: 'users', userIds: [call.callee] },
        ),
        this.update(call, 'ringing'),
      ],
    };
  }

  accept(userId: string, callId: string): BusMessage[] {
    const call = this.find(callId, userId);
    if (call.callee !== userId || call.state !== 'ringing')
      throw invalidInput('This call is not ringing for you.');
    call.state = 'active';
    if (call.timer) clearTimeout(call.timer);
    return [this.update(call, 'active')];
  }

  reject(userId: string, callId: string): BusMessage[] {
    const call = this.find(callId, userId);
    if (call.callee !== userId || call.state !== 'ringing')
      throw invalidInput('This call is not ringing for you.');
    return this.finish(call, 'rejected');
  }

  end(userId: string, callId: string): BusMessage[] {
    return this.finish(this.find(callId, userId), 'ended');
  }

  /** A user whose last socket went away leaves every call they are in. */
  endAllOf(userId: string): BusMessage[] {
    const events: BusMessage[] = [];
    for (const call of this.calls.values()) {
      if (call.caller.id === userId || call.callee === userId) events.push(...this.finish(call, 'ended'));
    }
    return events;
  }

  /** True while the two are the ends of one call (ringing or active). */
  inCallTogether(a: string, b: string): boolean {
    for (const call of this.calls.values()) {
      const ends = [call.caller.id, call.callee];
      if (a !== b && ends.includes(a) && ends.includes(b)) return true;
    }
    return false;
  }

  private find(callId: string, userId: string): Call {
    const call = this.calls.get(callId);
    if (!call || (call.caller.id !== userId && call.callee !== userId)) throw notFound('No such call.');
    return call;
  }

  private finish(call: Call, state: CallState): BusMessage[] {
    if (!this.calls.delete(call.id)) return [];
    if (call.timer) clearTimeout(call.timer);
    return [this.update(call, state)];
  }

  private update(call: Call, state: CallState): BusMessage {
    return dispatch(
      'call_update',
      { callId: call.id, state },
      { kind: 'users', userIds: [call.caller.id, call.callee] },
    );
  }
}
