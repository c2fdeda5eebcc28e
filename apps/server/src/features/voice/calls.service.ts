import { randomUUID } from 'node:crypto';
import type { CallRecord, CallState, Call as CallView } from '@decentra/protocol';
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
import { type CallRegistry, type FinishIf, MemoryCallRegistry, type StoredCall } from './call-registry.js';
import type { VoiceService } from './voice.service.js';

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
  /** Where calls are kept: this process's memory without Redis, Redis with it. */
  registry?: CallRegistry;
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
  /** Ring timeouts of the calls this instance rang (the caller's instance owns them). */
  private readonly rings = new Map<string, TimerHandle>();
  private readonly clock: Clock;
  private readonly registry: CallRegistry;

  constructor(private readonly deps: CallsDeps) {
    this.clock = deps.clock ?? systemClock;
    this.registry = deps.registry ?? new MemoryCallRegistry();
  }

  /**
   * Rings `calleeId` from session `sessionId`, inside `tx`: the friendship stays locked until it
   * commits, so an unfriending either waits (and then ends this call) or has already won (and
   * this is refused). Being busy is checked and the call made in one atomic step of the registry,
   * so two instances ringing the same person at once make one call.
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
    const id = randomUUID();
    const channelId = BigInt(dm.result.id);
    const started = await this.registry.start({
      id,
      caller,
      callerSession: sessionId,
      callee: calleeId,
      calleeRef,
      channelId,
    });
    if (started === 'caller_busy') throw conflict('You are already in a call.', { reason: 'busy' });
    if (started === 'callee_busy')
      throw conflict(`${calleeRef.username} is in another call.`, { reason: 'busy' });
    if (!this.deps.isLive(sessionId)) {
      // The session ended while the call was being made: its end may have found nothing.
      await this.registry.finish(id, { state: 'any' });
      throw invalidInput('This connection closed while calling.');
    }
    this.rings.set(
      id,
      this.clock.setTimeout(() => {
        this.rings.delete(id);
        this.deps.commands
          .run(() => this.finish(id, { state: 'ringing' }, () => 'missed'))
          .catch((err: unknown) => this.deps.log.error({ err }, 'a missed call could not be told'));
      }, this.deps.ringTimeoutMs),
    );
    const call: StoredCall = {
      id,
      caller,
      callerSession: sessionId,
      callerInstance: '',
      callee: calleeId,
      calleeRef,
      calleeSession: undefined,
      calleeInstance: undefined,
      channelId,
      state: 'ringing',
      answeredAt: undefined,
    };
    const from = { id: caller.id.toString(), username: caller.username };
    return combine({ callId: id }, [
      dm,
      await this.deps.voice.leave(caller.id),
      outcome(undefined, [
        dispatch('call_incoming', { callId: id, from, channelId: dm.result.id }, toUsers(calleeId)),
        update(call, 'ringing'),
      ]),
    ]);
  }

  /** The callee answers from session `sessionId`, which the call then belongs to (and leaves voice). */
  async accept(userId: bigint, sessionId: string, callId: string): Promise<Outcome<undefined>> {
    await this.find(callId, userId);
    const call = await this.registry.accept(callId, userId, sessionId, this.clock.now());
    if (!call) throw invalidInput('This call is not ringing for you.');
    this.cancelRing(callId);
    return combine(undefined, [
      await this.deps.voice.leave(userId),
      outcome(undefined, [update(call, 'active')]),
    ]);
  }

  async reject(userId: bigint, callId: string): Promise<Outcome<undefined>> {
    await this.find(callId, userId);
    const done = await this.finish(callId, { state: 'ringing', callee: userId }, () => 'rejected');
    if (done.events.length === 0) throw invalidInput('This call is not ringing for you.');
    return done;
  }

  /** Either end hangs up: the caller cancels (missed) or the callee declines (rejected) while it rings. */
  async end(userId: bigint, callId: string): Promise<Outcome<undefined>> {
    await this.find(callId, userId);
    return this.finish(callId, { state: 'any' }, (call) => hangUp(call, userId));
  }

  /** The user is joining a voice channel: their call, if any, ends as if they hung up. */
  readonly endOf = async (userId: bigint): Promise<Outcome<void>> => {
    const call = await this.registry.of(userId);
    return call ? this.finish(call.id, { state: 'any' }, (c) => hangUp(c, userId)) : outcome(undefined);
  };

  /** The two are no longer friends: a call between them ends (missed if it was still ringing). */
  readonly endBetween = async (a: bigint, b: bigint): Promise<Outcome<void>> => {
    const call = await this.registry.of(a);
    if (!call || (call.caller.id !== b && call.callee !== b)) return outcome(undefined);
    return this.finish(call.id, { state: 'any' }, dropped);
  };

  /** A gateway session ended: the call it started or answered ends. */
  async endSession(sessionId: string): Promise<Outcome<void>> {
    return this.told(await this.registry.endSession(sessionId), dropped);
  }

  /** Instances that stopped beating: their calls end (each told by exactly one instance). */
  async reap(now: number, deadAfterMs: number): Promise<Outcome<void>> {
    return this.told(await this.registry.reap(now, deadAfterMs), dropped);
  }

  /**
   * The session a signal from `from` (on `fromSession`) to `to` goes to: the other end's session
   * of an active call between the two, sent from this end's own session. Undefined otherwise.
   */
  async peerSession(from: bigint, fromSession: string, to: bigint): Promise<string | undefined> {
    if (from === to) return undefined;
    const call = await this.registry.of(from);
    if (call?.state !== 'active') return undefined;
    if (call.caller.id === from && call.callee === to && call.callerSession === fromSession)
      return call.calleeSession;
    if (call.callee === from && call.caller.id === to && call.calleeSession === fromSession)
      return call.callerSession;
    return undefined;
  }

  /** The call this user is in (for `ready`: none or one). */
  async of(userId: bigint): Promise<CallView[]> {
    const call = await this.registry.of(userId);
    return call ? [view(call, call.state)] : [];
  }

  /** Stops this instance's ring timeouts (shutdown; the calls end with their sessions). */
  close(): void {
    for (const timer of this.rings.values()) timer.cancel();
    this.rings.clear();
  }

  private async find(callId: string, userId: bigint): Promise<StoredCall> {
    const call = await this.registry.get(callId);
    if (!call || (call.caller.id !== userId && call.callee !== userId)) throw notFound('No such call.');
    return call;
  }

  private cancelRing(callId: string): void {
    this.rings.get(callId)?.cancel();
    this.rings.delete(callId);
  }

  /**
   * Ends the call if it still is as `only` says (no signal passes after this) and tells both
   * ends how, as `how` reads the call as it was ended; nothing when another end or instance got
   * there first. Its record is written into their DM after the command that ended it committed.
   */
  private async finish(
    callId: string,
    only: FinishIf,
    how: (call: StoredCall) => Ending,
  ): Promise<Outcome<undefined>> {
    const call = await this.registry.finish(callId, only);
    return call ? this.told([call], how) : outcome(undefined);
  }

  private told(calls: StoredCall[], how: (call: StoredCall) => Ending): Outcome<undefined> {
    return combine(
      undefined,
      calls.map((call) => this.ended(call, how(call))),
    );
  }

  private ended(call: StoredCall, how: Ending): Outcome<undefined> {
    this.cancelRing(call.id);
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
    return outcome(undefined, [update(call, how)], [record]);
  }
}

/** What hanging up means: an answered call ends; a ringing one is missed (caller) or declined (callee). */
function hangUp(call: StoredCall, userId: bigint): Ending {
  if (call.state === 'active') return 'ended';
  return userId === call.caller.id ? 'missed' : 'rejected';
}

/** A call whose session, instance or friendship went: ended if answered, else missed. */
const dropped = (call: StoredCall): Ending => (call.state === 'active' ? 'ended' : 'missed');

function update(call: StoredCall, state: CallState): DispatchMessage {
  return dispatch('call_update', view(call, state), toUsers(call.caller.id, call.callee));
}

function view(call: StoredCall, state: CallState): CallView {
  return {
    callId: call.id,
    state,
    caller: { id: call.caller.id.toString(), username: call.caller.username },
    callee: call.calleeRef,
    channelId: call.channelId.toString(),
    startedAt: call.answeredAt === undefined ? null : new Date(call.answeredAt).toISOString(),
  };
}
