import type { VoiceState } from '@decentra/protocol';
import { conflict, forbidden, invalidInput } from '../../infra/errors.js';
import { type DispatchMessage, dispatch, serverScope } from '../../kernel/events.js';
import { combine, Listeners, type Outcome, outcome } from '../../kernel/outcome.js';
import type { Db } from '../../storage/db.js';
import type { AccessService } from '../access/access.service.js';

interface Present {
  channelId: bigint;
  serverId: bigint;
  muted: boolean;
  deafened: boolean;
  /** The gateway session (one tab, one device) that joined: voice ends with it. */
  sessionId: string;
}

/**
 * Who is in which voice channel, with mute and deafen. One voice channel per user at a time;
 * joining another leaves the first. Kept in memory: voice lives in the session (tab, device) that
 * joined, so it ends with that session (see VOICE_RESUME_GRACE_MS for a dropped socket). A channel holds at most `channelLimit`
 * people. Audio itself flows peer to peer (WebRTC); the server only relays `voice_signal`, and
 * only between two people in the same channel, each from the session that joined.
 */
export class VoiceService {
  private readonly byUser = new Map<bigint, Present>();
  private readonly joining = new Listeners<[userId: bigint]>();

  constructor(
    private readonly access: AccessService,
    private readonly channelLimit: number,
    /** Whether this gateway session still has its socket (voice ends when it loses it). */
    private readonly isAttached: (sessionId: string) => boolean,
  ) {}

  /** Tells `listener` that a user is about to join a voice channel (calls end: one voice thing at a time). */
  onJoining(listener: (userId: bigint) => Outcome<void>): void {
    this.joining.add(listener);
  }

  /**
   * Joins from session `sessionId`, inside `tx`: the joiner's membership and the channel stay
   * locked until it commits, so a kick or a deletion either waits for the join (and then removes
   * them) or has already happened (and the join is refused). The cap is checked and the place
   * taken with no wait in between, so joins at the same moment never pass it together.
   */
  async join(tx: Db, userId: bigint, sessionId: string, channelId: bigint): Promise<Outcome<undefined>> {
    const standing = await this.access.channel(tx, channelId, userId, 'channel too');
    const { serverId, type } = standing.channel;
    if (type !== 'voice' || serverId === null) throw invalidInput('That is not a voice channel.');
    if (!this.isAttached(sessionId)) throw invalidInput('This connection closed while joining.');
    if (this.othersIn(channelId, userId) >= this.channelLimit) {
      throw conflict(`This voice channel is full (${this.channelLimit} people).`, { reason: 'channel_full' });
    }
    const before = combine(undefined, [this.joining.tell(userId), this.leave(userId)]);
    const present: Present = { channelId, serverId, muted: false, deafened: false, sessionId };
    this.byUser.set(userId, present);
    return combine(undefined, [before, outcome(undefined, [this.update(userId, present, true)])]);
  }

  leave(userId: bigint): Outcome<undefined> {
    const present = this.byUser.get(userId);
    if (!present) return outcome(undefined);
    this.byUser.delete(userId);
    return outcome(undefined, [this.update(userId, present, false)]);
  }

  /** The session that joined voice ended (or its socket stayed away too long): its user leaves voice. */
  leaveSession(userId: bigint, sessionId: string): Outcome<undefined> {
    return this.byUser.get(userId)?.sessionId === sessionId ? this.leave(userId) : outcome(undefined);
  }

  /** A member left or was removed from a server: out of its voice at once. */
  readonly forgetMember = (serverId: bigint, userId: bigint): Outcome<void> =>
    this.byUser.get(userId)?.serverId === serverId ? this.leave(userId) : outcome(undefined);

  /** A server was deleted: everyone in its voice channels leaves. */
  readonly forgetServer = (serverId: bigint): Outcome<void> =>
    this.leaveWhere((p) => p.serverId === serverId);

  /** A voice channel was deleted: everyone in it leaves. */
  readonly forgetChannel = (_serverId: bigint, channelId: bigint): Outcome<void> =>
    this.leaveWhere((p) => p.channelId === channelId);

  setState(userId: bigint, state: { muted: boolean; deafened: boolean }): Outcome<undefined> {
    const present = this.byUser.get(userId);
    if (!present) throw invalidInput('You are not in a voice channel.');
    // Deafened implies muted: someone who cannot hear must not talk into the room unawares.
    present.deafened = state.deafened;
    present.muted = state.muted || state.deafened;
    return outcome(undefined, [this.update(userId, present, true)]);
  }

  /**
   * The session a signal from `from` (sent on `fromSession`) to `to` is delivered to: `to`'s voice
   * session, when both are in the same channel and the sender signals from the session that
   * joined. Undefined otherwise (not relayed).
   */
  peerSession(from: bigint, fromSession: string, to: bigint): string | undefined {
    const x = this.byUser.get(from);
    const y = this.byUser.get(to);
    if (from === to || !x || !y || x.channelId !== y.channelId || x.sessionId !== fromSession)
      return undefined;
    return y.sessionId;
  }

  /** Everyone present in the voice channels of these servers (for `ready`). */
  statesIn(serverIds: readonly bigint[]): VoiceState[] {
    const wanted = new Set(serverIds);
    const out: VoiceState[] = [];
    for (const [userId, p] of this.byUser) {
      if (wanted.has(p.serverId)) out.push(toState(userId, p, true));
    }
    return out;
  }

  private othersIn(channelId: bigint, userId: bigint): number {
    let n = 0;
    for (const [id, p] of this.byUser) if (p.channelId === channelId && id !== userId) n++;
    return n;
  }

  private leaveWhere(match: (p: Present) => boolean): Outcome<void> {
    const gone = [...this.byUser].filter(([, p]) => match(p)).map(([userId]) => userId);
    return combine(
      undefined,
      gone.map((userId) => this.leave(userId)),
    );
  }

  private update(userId: bigint, p: Present, present: boolean): DispatchMessage {
    return dispatch('voice_state_update', toState(userId, p, present), serverScope(p.serverId));
  }
}

/** Only people in the same voice channel or call exchange WebRTC signals. */
export function cannotSignal(): Error {
  return forbidden('You can only signal someone in your voice channel or call.');
}

function toState(userId: bigint, p: Present, present: boolean): VoiceState {
  return {
    channelId: p.channelId.toString(),
    userId: userId.toString(),
    muted: p.muted,
    deafened: p.deafened,
    present,
  };
}
