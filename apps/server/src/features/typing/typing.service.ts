import { type Clock, systemClock } from '../../kernel/clock.js';
import { dispatch } from '../../kernel/events.js';
import { type Outcome, outcome } from '../../kernel/outcome.js';
import type { Db } from '../../storage/db.js';
import type { AccessService } from '../access/access.service.js';

export const TYPING_INTERVAL_MS = 5_000;
const SWEEP_AT = 10_000;

/**
 * `typing {channelId}` becomes `typing_start {channelId, userId, username}` for the others in the channel,
 * at most once per user per channel per 5 s. Clients repeat it while the person keeps typing;
 * the extra ones are absorbed here before any database work.
 */
export class TypingService {
  private readonly lastSent = new Map<string, number>();

  constructor(
    private readonly db: Db,
    private readonly access: AccessService,
    private readonly clock: Clock = systemClock,
  ) {}

  async typing(userId: bigint, username: string, channelId: bigint): Promise<Outcome<undefined>> {
    const key = `${userId}:${channelId}`;
    const now = this.clock.now();
    const last = this.lastSent.get(key);
    if (last !== undefined && now - last < TYPING_INTERVAL_MS) return outcome(undefined);
    const standing = await this.access.channel(this.db, channelId, userId);
    if (standing.channel.type === 'voice') return outcome(undefined);
    this.remember(key, now);
    const d = { channelId: channelId.toString(), userId: userId.toString(), username };
    return outcome(undefined, [dispatch('typing_start', d, standing.audience, userId)]);
  }

  private remember(key: string, now: number): void {
    if (this.lastSent.size >= SWEEP_AT) {
      for (const [k, at] of this.lastSent) if (now - at >= TYPING_INTERVAL_MS) this.lastSent.delete(k);
    }
    this.lastSent.set(key, now);
  }
}
