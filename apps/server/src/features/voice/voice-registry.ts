/** Someone in a voice channel, from the gateway session (on the instance) that joined. */
export interface VoiceMember {
  userId: bigint;
  channelId: bigint;
  serverId: bigint;
  sessionId: string;
  /** The instance holding that session (`local` with one instance). */
  instanceId: string;
  muted: boolean;
  deafened: boolean;
}

export type Joining = Omit<VoiceMember, 'instanceId' | 'muted' | 'deafened'>;

/** What a join came to: refused (the channel holds `limit` others), or in, having left `left`. */
export type JoinResult = { full: true } | { full: false; left: VoiceMember | undefined };

/**
 * Who is in which voice channel, for every instance: one channel per user. Each change is one
 * atomic step (the cap is counted and the place taken together; a removal answers what it
 * removed), so two instances acting at once never both pass the cap or both announce a leave.
 */
export interface VoiceRegistry {
  /** Joins from a session of this instance, leaving any other channel; refused past `limit` others. */
  join(joining: Joining, limit: number): Promise<JoinResult>;
  /** Takes the user out of voice: any membership, or only one from `sessionId` on this instance. */
  leave(userId: bigint, sessionId?: string): Promise<VoiceMember | undefined>;
  /** Takes the user out of voice if they are in a channel of that server. */
  leaveServerMember(serverId: bigint, userId: bigint): Promise<VoiceMember | undefined>;
  /** Everyone out of the channel. */
  clearChannel(channelId: bigint): Promise<VoiceMember[]>;
  /** Everyone out of the server's channels. */
  clearServer(serverId: bigint): Promise<VoiceMember[]>;
  /** Sets mute and deafen of a member; undefined when they are not in voice. */
  setState(userId: bigint, state: { muted: boolean; deafened: boolean }): Promise<VoiceMember | undefined>;
  /** The memberships of these users (undefined for those not in voice), in order. */
  members(userIds: readonly bigint[]): Promise<Array<VoiceMember | undefined>>;
  /** Everyone in the voice channels of these servers. */
  inServers(serverIds: readonly bigint[]): Promise<VoiceMember[]>;
  /**
   * Takes out the members held by instances whose last heartbeat is older than `deadAfterMs`
   * (each exactly once, whichever instance gets there first), for the caller to announce.
   */
  reap(now: number, deadAfterMs: number): Promise<VoiceMember[]>;
}

/** One instance: voice in this process's memory, as before there were several. */
export class MemoryVoiceRegistry implements VoiceRegistry {
  private readonly byUser = new Map<bigint, VoiceMember>();

  async join(joining: Joining, limit: number): Promise<JoinResult> {
    let others = 0;
    for (const m of this.byUser.values())
      if (m.channelId === joining.channelId && m.userId !== joining.userId) others++;
    if (others >= limit) return { full: true };
    const left = this.take(joining.userId);
    this.byUser.set(joining.userId, { ...joining, instanceId: 'local', muted: false, deafened: false });
    return { full: false, left };
  }

  async leave(userId: bigint, sessionId?: string): Promise<VoiceMember | undefined> {
    const member = this.byUser.get(userId);
    if (sessionId !== undefined && member?.sessionId !== sessionId) return undefined;
    return this.take(userId);
  }

  async leaveServerMember(serverId: bigint, userId: bigint): Promise<VoiceMember | undefined> {
    return this.byUser.get(userId)?.serverId === serverId ? this.take(userId) : undefined;
  }

  async clearChannel(channelId: bigint): Promise<VoiceMember[]> {
    return this.takeWhere((m) => m.channelId === channelId);
  }

  async clearServer(serverId: bigint): Promise<VoiceMember[]> {
    return this.takeWhere((m) => m.serverId === serverId);
  }

  async setState(userId: bigint, state: { muted: boolean; deafened: boolean }) {
    const member = this.byUser.get(userId);
    if (!member) return undefined;
    const next = { ...member, ...state };
    this.byUser.set(userId, next);
    return next;
  }

  async members(userIds: readonly bigint[]): Promise<Array<VoiceMember | undefined>> {
    return userIds.map((id) => this.byUser.get(id));
  }

  async inServers(serverIds: readonly bigint[]): Promise<VoiceMember[]> {
    const wanted = new Set(serverIds);
    return [...this.byUser.values()].filter((m) => wanted.has(m.serverId));
  }

  async reap(): Promise<VoiceMember[]> {
    return [];
  }

  private take(userId: bigint): VoiceMember | undefined {
    const member = this.byUser.get(userId);
    this.byUser.delete(userId);
    return member;
  }

  private takeWhere(match: (m: VoiceMember) => boolean): VoiceMember[] {
    const gone = [...this.byUser.values()].filter(match);
    for (const m of gone) this.byUser.delete(m.userId);
    return gone;
  }
}
