import type { VoiceState } from '@decentra/protocol';
import { type BusMessage, dispatch } from '../../bus/bus.js';
import { forbidden, invalidInput } from '../../infra/errors.js';
import type { Db } from '../../storage/db.js';
import { channelAccess } from '../channels/channel-access.js';
import { serverScope } from '../servers/servers.service.js';

interface Present {
  channelId: string;
  serverId: string;
  muted: boolean;
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
  private readonly byUser = new Map<string, Present>();

  constructor(private readonly db: Db) {}

  async join(userId: bigint, sessionId: string, channelId: bigint): Promise<BusMessage[]> {
    const access = await channelAccess(this.db, channelId, userId);
    if (access.channel.type !== 'voice' || access.channel.serverId === null) {
      throw invalidInput('That is not a voice channel.');
    }
    const uid = userId.toString();
    const events = this.leave(uid);
    const present: Present = {
      channelId: channelId.toString(),
      serverId: access.channel.serverId.toString(),
      muted: false,
      sessionId,
    };
    this.byUser.set(uid, present);
    events.push(this.update(uid, present, true));
    return events;
  }

  leave(userId: string): BusMessage[] {
    const present = this.byUser.get(userId);
    if (!present) return [];
    this.byUser.delete(userId);
    return [this.update(userId, present, false)];
  }

  /** The session that joined voice lost its socket (or ended): its user leaves voice. */
  leaveSession(userId: string, sessionId: string): BusMessage[] {
    return this.byUser.get(userId)?.sessionId === sessionId ? this.leave(userId) : [];
  }

  setMuted(userId: string, muted: boolean): BusMessage[] {
    const present = this.byUser.get(userId);
    if (!present) throw invalidInput('You are not in a voice channel.');
    present.muted = muted;
    return [this.update(userId, present, true)];
  }

  /** Signals travel only between two people in the same voice channel. */
  assertSameChannel(from: string, to: string): void {
    const a = this.byUser.get(from);
    const b = this.byUser.get(to);
    if (!a || !b || a.channelId !== b.channelId || from === to) {
      throw forbidden('You can only signal someone in your voice channel or call.');
    }
  }

  /** Everyone present in the voice channels of these servers (for `ready`). */
  statesIn(serverIds: ReadonlySet<string>): VoiceState[] {
    const out: VoiceState[] = [];
    for (const [userId, p] of this.byUser) {
      if (serverIds.has(p.serverId))
        out.push({ channelId: p.channelId, userId, muted: p.muted, present: true });
    }
    return out;
  }

  /** A deleted channel or a removed member: forget them quietly (their clients hear the removal). */
  forgetChannel(channelId: string): void {
    for (const [userId, p] of this.byUser) if (p.channelId === channelId) this.byUser.delete(userId);
  }

  private update(userId: string, p: Present, present: boolean): BusMessage {
    const d: VoiceState = { channelId: p.channelId, userId, muted: p.muted, present };
    return dispatch('voice_state_update', d, serverScope(BigInt(p.serverId)));
  }
}
