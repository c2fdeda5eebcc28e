import { dispatch } from '../../bus/bus.js';
import type { Db } from '../../storage/db.js';
import { channelAccess, type DmEnds } from '../channels/channel-access.js';
import type { Outcome } from '../servers/servers.service.js';

export const TYPING_INTERVAL_MS = 5_000;
const SWEEP_AT = 10_000;

/**
 * `typing {channelId}` becomes `typing_start {channelId, userId}` for the others in the channel,
 * at most once per user per channel per 5 s. Clients repeat it while the person keeps typing;
 * the extra ones are absorbed here before any database work.
 */
export class TypingService {
  private readonly lastSent = new Map<string, number>();

  constructor(
    private readonly db: Db,
    private readonly dmEnds: DmEnds,
    private readonly now: () => number = Date.now,
  ) {}

  async typing(userId: bigint, channelId: bigint): Promise<Outcome<void>> {
    const key = `${userId}:${channelId}`;
    const now = this.now();
    const last = this.lastSent.get(key);
    if (last !== undefined && now - last < TYPING_INTERVAL_MS) return { result: undefined, events: [] };
    const access = await channelAccess(this.db, channelId, userId, this.dmEnds);
    if (access.channel.type === 'voice') return { result: undefined, events: [] };
    this.remember(key, now);
    const d = { channelId: channelId.toString(), userId: userId.toString() };
    return {
      result: undefined,
      events: [{ ...dispatch('typing_start', d, access.audience), except: d.userId }],
    };
  }

  private remember(key: string, now: number): void {
    if (this.lastSent.size >= SWEEP_AT) {
      for (const [k, at] of this.lastSent) if (now - at >= TYPING_INTERVAL_MS) this.lastSent.delete(k);
    }
    this.lastSent.set(key, now);
  }
}
