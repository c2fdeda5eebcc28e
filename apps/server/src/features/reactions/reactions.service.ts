import { MAX_REACTION_EMOJI, type Reaction, type ReactorsQuery, type UserRef } from '@decentra/protocol';
import { forbidden, notFound } from '../../infra/errors.js';
import type { Actor } from '../../kernel/actor.js';
import { dispatch } from '../../kernel/events.js';
import { type Outcome, outcome } from '../../kernel/outcome.js';
import type { Db } from '../../storage/db.js';
import type { AccessService } from '../access/access.service.js';
import { toUserRef } from '../accounts/user-dto.js';
import type { ReactionRateLimit } from './reaction-rate-limit.js';
import {
  addReaction,
  lockMessage,
  messageExists,
  reactionSummaries,
  reactors,
  removeReaction,
} from './reactions.repo.js';

/** Whether the reactor may write to the other end of a DM now (the DM feature decides: friendship). */
export type DmReactCheck = (db: Db, ends: readonly bigint[], userId: bigint) => Promise<void>;

export interface ReactionsDeps {
  db: Db;
  access: AccessService;
  rateLimit: ReactionRateLimit;
  canReactInDm: DmReactCheck;
  now?: () => Date;
}

/**
 * Reactions. Whoever may read a channel may see its reactions and take their own back; adding one
 * is writing, so in a DM it follows the send rule (friends only), like a message would.
 */
export class ReactionsService {
  private readonly now: () => Date;

  constructor(private readonly deps: ReactionsDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  /**
   * One point of the user's reaction budget (adds and removes alike; 429 past it). Taken before the
   * change's transaction opens, so that a shared (Redis) limiter's round trip holds no connection.
   */
  async throttle(userId: bigint): Promise<void> {
    await this.deps.rateLimit.take(userId);
  }

  /** Adds my reaction; a second time changes nothing and tells no one. */
  async add(
    tx: Db,
    actor: Actor,
    channelId: bigint,
    messageId: bigint,
    emoji: string,
  ): Promise<Outcome<void>> {
    const standing = await this.deps.access.channel(tx, channelId, actor.id, true);
    if (standing.dmEnds) await this.deps.canReactInDm(tx, standing.dmEnds, actor.id);
    if (!(await lockMessage(tx, channelId, messageId))) throw notFound('No such message.');
    const result = await addReaction(
      tx,
      { messageId, userId: actor.id, emoji },
      MAX_REACTION_EMOJI,
      this.now(),
    );
    if (result === 'held') return outcome(undefined);
    if (result === 'full') {
      throw forbidden(`A message can have at most ${MAX_REACTION_EMOJI} different reactions.`, {
        reason: 'reaction_limit',
        limit: MAX_REACTION_EMOJI,
      });
    }
    const d = eventOf(channelId, messageId, emoji, actor.id);
    return outcome(undefined, [dispatch('reaction_add', d, standing.audience)]);
  }

  /** Takes my reaction back; one I do not have is a no-op (no event). */
  async remove(
    tx: Db,
    actor: Actor,
    channelId: bigint,
    messageId: bigint,
    emoji: string,
  ): Promise<Outcome<void>> {
    const standing = await this.deps.access.channel(tx, channelId, actor.id, true);
    if (!(await removeReaction(tx, { messageId, userId: actor.id, emoji }))) return outcome(undefined);
    const d = eventOf(channelId, messageId, emoji, actor.id);
    return outcome(undefined, [dispatch('reaction_remove', d, standing.audience)]);
  }

  async reactors(
    userId: bigint,
    channelId: bigint,
    messageId: bigint,
    emoji: string,
    query: ReactorsQuery,
  ): Promise<UserRef[]> {
    const { db, access } = this.deps;
    await access.channel(db, channelId, userId);
    if (!(await messageExists(db, channelId, messageId))) throw notFound('No such message.');
    const page = { limit: query.limit, ...(query.after === undefined ? {} : { after: BigInt(query.after) }) };
    const rows = await reactors(db, messageId, emoji, page);
    return rows.map(toUserRef);
  }

  /**
   * The reactions of messages the reader may already see (the caller checked), one grouped query
   * for all of them: by message id, each list in first-use order.
   */
  readonly summaries = async (
    db: Db,
    messageIds: readonly bigint[],
    viewerId: bigint,
  ): Promise<Map<string, Reaction[]>> => {
    const byMessage = new Map<string, Reaction[]>();
    for (const row of await reactionSummaries(db, messageIds, viewerId)) {
      const key = row.messageId.toString();
      const list = byMessage.get(key) ?? [];
      list.push({ emoji: row.emoji, count: row.count, me: row.me });
      byMessage.set(key, list);
    }
    return byMessage;
  };
}

function eventOf(channelId: bigint, messageId: bigint, emoji: string, userId: bigint) {
  return {
    channelId: channelId.toString(),
    messageId: messageId.toString(),
    emoji,
    userId: userId.toString(),
  };
}
