import { randomUUID } from 'node:crypto';
import type { CallRecord, CallState, Call as CallView, UserRef } from '@decentra/protocol';
import { conflict, forbidden, invalidInput, notFound } from '../../infra/errors.js';
import type { Logger } from '../../infra/logger.js';
import type { Actor } from '../../kernel/actor.js';
import { type Clock, systemClock, type TimerHandle } from '../../kernel/clock.js';
import type { Commands } from '../../kernel/commands.js';
import { type DispatchMessage, dispatch, toUsers } from '../../kernel/events.js';
import { combine, type Outcome, outcome } from '../../kernel/outcome.js';
import type { Db } from '../../storage/db.js';
import type { DmsService } from '../dms/dms.service.js';
import type { FriendsService } from '../friends/friends.service.js';
import type { MessagesService } from '../messages/messages.service.js';
import type { VoiceService } from './voice.service.js';

interface Call {
  id: string;
  caller: Actor;
  /** The gateway session that rang: the call ends with it. */
  callerSession: string;
  callee: bigint;
  calleeRef: UserRef;
  /** The session that answered (none while it rings: every tab of the callee rings). */
  calleeSession: string | undefined;
  channelId: bigint;
  state: 'ringing' | 'active';
  /** When it was answered (the clock's milliseconds). */
  answeredAt: number | undefined;
  timer: TimerHandle | undefined;
}

/** How a call finished, as its record says. */
type Ending = CallRecord['outcome'];

export interface CallsDeps {
  friends: FriendsService;
  dms: DmsService;
  messages: MessagesService;
  voice: VoiceService;
  commands: Commands;
  ringTimeoutMs: number;
  /** Whether this gateway session has not ended (a call ends with it). */
  isLive: (sessionId: string) => boolean;
  log: Logger;
  clock?: Clock;
}

/**
 * One-to-one calls between friends: ringing → active, or rejected / missed; ended by either.
 * The media is WebRTC between the two browsers; this keeps the call's state and lets its two
 * sessions exchange `voice_signal` while it is active. A user is in one call at most (calling or
 * being called while in one is `busy`), and in a call or a voice channel, not both.
 *
 * A call belongs to the gateway session that started it and, once answered, to the one that
 * answered: it ends when either of those sessions ends (clean close, logout, expiry). When a
 * call finishes, its record is written into the pair's DM as a message (after the command that
 * finished it, as a follow-up): `missed` (unanswered in time, or cancelled by the caller while
 * ringing), `rejected` (declined by the callee), or `ended` with its length from answer to end.
 */
export class CallsService {
  private readonly calls = new Map<string, Call>();
  private readonly clock: Clock;

  constructor(private readonly deps: CallsDeps) {
    this.clock = deps.clock ?? systemClock;
  }

  /**
   * Rings `calleeId` from session `sessionId`, inside `tx`: the friendship stays locked until it
   * commits, so an unfriending either waits (and then ends this call) or has already won (and
   * this is refused). Being busy is checked and the call made with no wait in between.
   */
  async start(
    tx: Db,
    caller: Actor,
    sessionId: string,
    calleeId: bigint,
  ): Promise<Outcome<{ callId: string }>> {
    if (calleeId === caller.id) throw invalidInput('You cannot call yourself.');
    if (!(await this.deps.friends.areFriends(tx, caller.id, calleeId, true)))
      throw forbidden('You can only call your friends.');
    const dm = await this.deps.dms.open(tx, caller, calleeId);
    const calleeRef = dm.result.recipients?.find((r) => r.id === calleeId.toString());
    if (!calleeRef) throw new Error('a DM without its recipient');
    if (!this.deps.isLive(sessionId)) throw invalidInput('This connection closed while calling.');
    if (this.callOf(caller.id)) throw conflict('You are already in a call.', { reason: 'busy' });
    if (this.callOf(calleeId))
      throw conflict(`${calleeRef.username} is in another call.`, { reason: 'busy' });
    const call: Call = {
      id: randomUUID(),
      caller,
      callerSession: sessionId,
      callee: calleeId,
      calleeRef,
      calleeSession: undefined,
      channelId: BigInt(dm.result.id),
      state: 'ringing',
      answeredAt: undefined,
      timer: undefined,
    };
    this.calls.set(call.id, call);
    call.timer = this.clock.setTimeout(() => {
      this.deps.commands
        .run(() => this.finish(call, 'missed'))
        .catch((err: unknown) => this.deps.log.error({ err }, 'a missed call could not be told'));
    }, this.deps.ringTimeoutMs);
    const from = { id: caller.id.toString(), username: caller.username };
    return combine({ callId: call.id }, [
      dm,
      this.deps.voice.leave(caller.id),
      outcome(undefined, [
        dispatch('call_incoming', { callId: call.id, from, channelId: dm.result.id }, toUsers(call.callee)),
        this.update(call, 'ringing'),
      ]),
    ]);
  }

  /** The callee answers from session `sessionId`, which the call then belongs to (and leaves voice). */
  accept(userId: bigint, sessionId: string, callId: string): Outcome<undefined> {
    const call = this.find(callId, userId);
    if (call.callee !== userId || call.state !== 'ringing')
      throw invalidInput('This call is not ringing for you.');
    call.state = 'active';
    call.calleeSession = sessionId;
    call.answeredAt = this.clock.now();
    call.timer?.cancel();
    return combine(undefined, [
      this.deps.voice.leave(userId),
      outcome(undefined, [this.update(call, 'active')]),
    ]);
  }

  reject(userId: bigint, callId: string): Outcome<undefined> {
    const call = this.find(callId, userId);
    if (call.callee !== userId || call.state !== 'ringing')
      throw invalidInput('This call is not ringing for you.');
    return this.finish(call, 'rejected');
  }

  /** Either end hangs up: the caller cancels (missed) or the callee declines (rejected) while it rings. */
  end(userId: bigint, callId: string): Outcome<undefined> {
    const call = this.find(callId, userId);
    return this.finish(call, this.hangUp(call, userId));
  }

  /** The user is joining a voice channel: their call, if any, ends as if they hung up. */
  readonly endOf = (userId: bigint): Outcome<void> => {
    const call = this.callOf(userId);
    return call ? this.finish(call, this.hangUp(call, userId)) : outcome(undefined);
  };

  /** The two are no longer friends: a call between them ends (missed if it was still ringing). */
  readonly endBetween = (a: bigint, b: bigint): Outcome<void> => {
    const call = this.callOf(a);
    if (!call || (call.caller.id !== b && call.callee !== b)) return outcome(undefined);
    return this.finish(call, call.state === 'active' ? 'ended' : 'missed');
  };

  /** A gateway session ended: the call it started or answered ends. */
  endSession(sessionId: string): Outcome<void> {
    const ending = [...this.calls.values()].filter(
      (c) => c.callerSession === sessionId || c.calleeSession === sessionId,
    );
    return combine(
      undefined,
      ending.map((c) => this.finish(c, c.state === 'active' ? 'ended' : 'missed')),
    );
  }

  /**
   * The session a signal from `from` (on `fromSession`) to `to` goes to: the other end's session
   * of an active call between the two, sent from this end's own session. Undefined otherwise.
   */
  peerSession(from: bigint, fromSession: string, to: bigint): string | undefined {
    const call = this.callOf(from);
    if (call?.state !== 'active' || from === to) return undefined;
    if (call.caller.id === from && call.callee === to && call.callerSession === fromSession)
      return call.calleeSession;
    if (call.callee === from && call.caller.id === to && call.calleeSession === fromSession)
      return call.callerSession;
    return undefined;
  }

  /** The call this user is in (for `ready`: none or one). */
  of(userId: bigint): CallView[] {
    const call = this.callOf(userId);
    return call ? [this.view(call, call.state)] : [];
  }

  private callOf(userId: bigint): Call | undefined {
    for (const call of this.calls.values()) {
      if (call.caller.id === userId || call.callee === userId) return call;
    }
    return undefined;
  }

  private find(callId: string, userId: bigint): Call {
    const call = this.calls.get(callId);
    if (!call || (call.caller.id !== userId && call.callee !== userId)) throw notFound('No such call.');
    return call;
  }

  /** What hanging up means: an answered call ends; a ringing one is missed (caller) or declined (callee). */
  private hangUp(call: Call, userId: bigint): Ending {
    if (call.state === 'active') return 'ended';
    return userId === call.caller.id ? 'missed' : 'rejected';
  }

  /**
   * Ends the call at once (no signal passes after this) and tells both ends; its record is written
   * into their DM after the command that ended it has committed.
   */
  private finish(call: Call, how: Ending): Outcome<undefined> {
    if (!this.calls.delete(call.id)) return outcome(undefined);
    call.timer?.cancel();
    const durationSeconds =
      how === 'ended' && call.answeredAt !== undefined
        ? Math.max(0, Math.round((this.clock.now() - call.answeredAt) / 1000))
        : 0;
    const record = () =>
      this.deps.messages.recordCall({
        channelId: call.channelId,
        caller: call.caller,
        callee: call.callee,
        record: { outcome: how, durationSeconds },
      });
    return outcome(undefined, [this.update(call, how)], [record]);
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
      channelId: call.channelId.toString(),
      startedAt: call.answeredAt === undefined ? null : new Date(call.answeredAt).toISOString(),
    };
  }
}
