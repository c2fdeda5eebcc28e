import { type Clock, systemClock } from '../../kernel/clock.js';
import { dispatch } from '../../kernel/events.js';
import { type Outcome, outcome } from '../../kernel/outcome.js';
import type { Db } from '../../storage/db.js';
import type { AccessService } from '../access/access.service.js';

import { MemoryTypingThrottle, type TypingThrottle } from './typing-throttle.js';

export const TYPING_INTERVAL_MS = 5_000;

/**
 * `typing {channelId}` becomes `typing_start {channelId, userId, username}` for the others in the channel,
 * at most once per user per channel per 5 s. Clients repeat it while the person keeps typing;
 * the extra ones are absorbed here before any database work (this instance's own throttle), and
 * with several instances the shared one (Redis) decides after the access check.
 */
export class TypingService {
  private readonly local = new MemoryTypingThrottle();

  constructor(
    private readonly db: Db,
    private readonly access: AccessService,
    private readonly clock: Clock = systemClock,
    private readonly shared?: TypingThrottle,
  ) {}

  async typing(userId: bigint, username: string, channelId: bigint): Promise<Outcome<undefined>> {
    const key = `${userId}:${channelId}`;
    const now = this.clock.now();
    if (!this.local.free(key, now, TYPING_INTERVAL_MS)) return outcome(undefined);
    const standing = await this.access.channel(this.db, channelId, userId);
    if (standing.channel.type === 'voice') return outcome(undefined);
    if (this.shared && !(await this.shared.take(key, now, TYPING_INTERVAL_MS))) return outcome(undefined);
    if (!(await this.local.take(key, now, TYPING_INTERVAL_MS))) return outcome(undefined);
    const d = { channelId: channelId.toString(), userId: userId.toString(), username };
    return outcome(undefined, [dispatch('typing_start', d, standing.audience, userId)]);
  }
}
