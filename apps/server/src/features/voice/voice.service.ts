import type { VoiceState } from '@decentra/protocol';
import { forbidden, invalidInput } from '../../infra/errors.js';
import { type DispatchMessage, dispatch, serverScope } from '../../kernel/events.js';
import { type Outcome, outcome } from '../../kernel/outcome.js';
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
 * Who is in which voice channel, with mute. One voice channel per user at a time; joining
 * another leaves the first. Kept in memory: voice lives in the session (tab, device) that
 * joined, so it ends when that session's socket goes.
 * Audio itself flows peer to peer (WebRTC); the server only relays `voice_signal`.
 */
export class VoiceService {
  private readonly byUser = new Map<bigint, Present>();

  constructor(
    private readonly db: Db,
    private readonly access: AccessService,
  ) {}

  async join(userId: bigint, sessionId: string, channelId: bigint): Promise<Outcome<undefined>> {
    const standing = await this.access.channel(this.db, channelId, userId);
    const { serverId, type } = standing.channel;
    if (type !== 'voice' || serverId === null) throw invalidInput('That is not a voice channel.');
    const events = this.leave(userId).events;
    const present: Present = { channelId, serverId, muted: false, deafened: false, sessionId };
    this.byUser.set(userId, present);
    events.push(this.update(userId, present, true));
    return outcome(undefined, events);
  }

  leave(userId: bigint): Outcome<undefined> {
    const present = this.byUser.get(userId);
    if (!present) return outcome(undefined);
    this.byUser.delete(userId);
    return outcome(undefined, [this.update(userId, present, false)]);
  }

  /** The session that joined voice lost its socket (or ended): its user leaves voice. */
  leaveSession(userId: bigint, sessionId: string): Outcome<undefined> {
    return this.byUser.get(userId)?.sessionId === sessionId ? this.leave(userId) : outcome(undefined);
  }

  setState(userId: bigint, state: { muted: boolean; deafened: boolean }): Outcome<undefined> {
    const present = this.byUser.get(userId);
    if (!present) throw invalidInput('You are not in a voice channel.');
    // Deafened implies muted: someone who cannot hear must not talk into the room unawares.
    present.deafened = state.deafened;
    present.muted = state.muted || state.deafened;
    return outcome(undefined, [this.update(userId, present, true)]);
  }

  /** Whether the two are in the same voice channel (signals may pass between them). */
  inSameChannel(a: bigint, b: bigint): boolean {
    const x = this.byUser.get(a);
    const y = this.byUser.get(b);
    return a !== b && x !== undefined && y !== undefined && x.channelId === y.channelId;
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
