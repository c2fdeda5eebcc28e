import type { VoiceState } from '@decentra/protocol';
import { conflict, forbidden, invalidInput } from '../../infra/errors.js';
import { type DispatchMessage, dispatch, serverScope } from '../../kernel/events.js';
import { AsyncListeners, combine, type Outcome, outcome } from '../../kernel/outcome.js';
import type { Db } from '../../storage/db.js';
import type { AccessService } from '../access/access.service.js';
import { MemoryVoiceRegistry, type VoiceMember, type VoiceRegistry } from './voice-registry.js';

/**
 * Who is in which voice channel, with mute and deafen. One voice channel per user at a time;
 * joining another leaves the first. Voice lives in the session (tab, device) that joined, so it
 * ends with that session (see VOICE_RESUME_GRACE_MS for a dropped socket). A channel holds at
 * most `channelLimit` people. Audio itself flows peer to peer (WebRTC); the server only relays
 * `voice_signal`, and only between two people in the same channel, each from the session that
 * joined. The memberships are kept by the registry: this process's memory with one instance,
 * Redis with several (then the people in a channel may be on different instances).
 */
export class VoiceService {
  private readonly joining = new AsyncListeners<[userId: bigint]>();

  constructor(
    private readonly access: AccessService,
    private readonly channelLimit: number,
    /** Whether this gateway session still has its socket (voice ends when it loses it). */
    private readonly isAttached: (sessionId: string) => boolean,
    private readonly registry: VoiceRegistry = new MemoryVoiceRegistry(),
  ) {}

  /** Tells `listener` that a user has taken a place in a voice channel (calls end: one voice thing at a time). */
  onJoining(listener: (userId: bigint) => Promise<Outcome<void>>): void {
    this.joining.add(listener);
  }

  /**
   * Joins from session `sessionId`, inside `tx`: the joiner's membership and the channel stay
   * locked until it commits, so a kick or a deletion either waits for the join (and then removes
   * them) or has already happened (and the join is refused). The cap is checked and the place
   * taken in one atomic step of the registry, so joins at the same moment (on any instance)
   * never pass it together.
   */
  async join(tx: Db, userId: bigint, sessionId: string, channelId: bigint): Promise<Outcome<undefined>> {
    const standing = await this.access.channel(tx, channelId, userId, 'channel too');
    const { serverId, type } = standing.channel;
    if (type !== 'voice' || serverId === null) throw invalidInput('That is not a voice channel.');
    if (!this.isAttached(sessionId)) throw invalidInput('This connection closed while joining.');
    const joined = await this.registry.join({ userId, channelId, serverId, sessionId }, this.channelLimit);
    if (joined.full) {
      throw conflict(`This voice channel is full (${this.channelLimit} people).`, { reason: 'channel_full' });
    }
    if (!this.isAttached(sessionId)) {
      // The session closed while the place was being taken: its leave may have found nothing,
      // so the place is given back here (whichever of the two comes second finds nothing).
      // Nobody reads this answer; the old channel's members still hear the user left it.
      await this.registry.leave(userId, sessionId);
      return this.left(joined.left);
    }
    const endedCall = await this.joining.tell(userId);
    const present: VoiceMember = {
      userId,
      channelId,
      serverId,
      sessionId,
      instanceId: '',
      muted: false,
      deafened: false,
    };
    return combine(undefined, [
      endedCall,
      this.left(joined.left),
      outcome(undefined, [update(present, true)]),
    ]);
  }

  async leave(userId: bigint): Promise<Outcome<undefined>> {
    return this.left(await this.registry.leave(userId));
  }

  /** The session that joined voice ended (or its socket stayed away too long): its user leaves voice. */
  async leaveSession(userId: bigint, sessionId: string): Promise<Outcome<undefined>> {
    return this.left(await this.registry.leave(userId, sessionId));
  }

  /** A member left or was removed from a server: out of its voice at once. */
  readonly forgetMember = async (serverId: bigint, userId: bigint): Promise<Outcome<void>> =>
    this.left(await this.registry.leaveServerMember(serverId, userId));

  /** A server was deleted: everyone in its voice channels leaves. */
  readonly forgetServer = async (serverId: bigint): Promise<Outcome<void>> =>
    this.allLeft(await this.registry.clearServer(serverId));

  /** A voice channel was deleted: everyone in it leaves. */
  readonly forgetChannel = async (_serverId: bigint, channelId: bigint): Promise<Outcome<void>> =>
    this.allLeft(await this.registry.clearChannel(channelId));

  /** Instances that stopped beating: their members leave (each told by exactly one instance). */
  async reap(now: number, deadAfterMs: number): Promise<Outcome<void>> {
    return this.allLeft(await this.registry.reap(now, deadAfterMs));
  }

  async setState(userId: bigint, state: { muted: boolean; deafened: boolean }): Promise<Outcome<undefined>> {
    // Deafened implies muted: someone who cannot hear must not talk into the room unawares.
    const next = { deafened: state.deafened, muted: state.muted || state.deafened };
    const present = await this.registry.setState(userId, next);
    if (!present) throw invalidInput('You are not in a voice channel.');
    return outcome(undefined, [update(present, true)]);
  }

  /**
   * The session a signal from `from` (sent on `fromSession`) to `to` is delivered to: `to`'s voice
   * session, when both are in the same channel and the sender signals from the session that
   * joined. Undefined otherwise (not relayed). The bus carries it to the instance holding it.
   */
  async peerSession(from: bigint, fromSession: string, to: bigint): Promise<string | undefined> {
    if (from === to) return undefined;
    const [x, y] = await this.registry.members([from, to]);
    if (!x || !y || x.channelId !== y.channelId || x.sessionId !== fromSession) return undefined;
    return y.sessionId;
  }

  /** Everyone present in the voice channels of these servers (for `ready`). */
  async statesIn(serverIds: readonly bigint[]): Promise<VoiceState[]> {
    return (await this.registry.inServers(serverIds)).map((m) => toState(m, true));
  }

  private left(member: VoiceMember | undefined): Outcome<undefined> {
    return outcome(undefined, member ? [update(member, false)] : []);
  }

  private allLeft(members: VoiceMember[]): Outcome<void> {
    return outcome(
      undefined,
      members.map((m) => update(m, false)),
    );
  }
}

function update(m: VoiceMember, present: boolean): DispatchMessage {
  return dispatch('voice_state_update', toState(m, present), serverScope(m.serverId));
}

/** Only people in the same voice channel or call exchange WebRTC signals. */
export function cannotSignal(): Error {
  return forbidden('You can only signal someone in your voice channel or call.');
}

function toState(p: VoiceMember, present: boolean): VoiceState {
  return {
    channelId: p.channelId.toString(),
    userId: p.userId.toString(),
    muted: p.muted,
    deafened: p.deafened,
    present,
  };
}
