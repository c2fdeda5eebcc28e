import type { HistoryQuery, Message, SendMessageBody } from '@decentra/protocol';
import type { Audience } from '../../bus/bus.js';
import { dispatch } from '../../bus/bus.js';
import { forbidden, invalidInput, notFound } from '../../infra/errors.js';
import type { IdGenerator } from '../../infra/ids.js';
import type { Db } from '../../storage/db.js';
import { type ChannelAccess, channelAccess, type DmEnds } from '../channels/channel-access.js';
import type { SendAccessCache } from '../channels/send-access-cache.js';
import { type Actor, type Outcome, serverScope } from '../servers/servers.service.js';
import { mentionedNames } from './mentions.js';
import { toMessage } from './message-dto.js';
import { MessageWriter } from './message-writer.js';
import {
  deleteMessage,
  findByNonce,
  findMessage,
  historyPage,
  membersNamed,
  updateContent,
  usersNamed,
} from './messages.repo.js';
import type { SendRateLimit } from './send-rate-limit.js';

/** A channel as sending and reading see it: enough to check, store and tell the right people. */
interface ChannelTarget {
  type: ChannelAccess['channel']['type'];
  serverId: bigint | null;
  dmEnds: bigint[] | undefined;
  audience: Audience;
}

export interface MessagesDeps {
  db: Db;
  ids: IdGenerator;
  rateLimit: SendRateLimit;
  /** Set by the DM feature: the two ends of a DM, and whether one of them may write to the other now. */
  dm?: { ends: DmEnds; canSend: (db: Db, ends: bigint[], senderId: bigint) => Promise<void> };
  /** Spares server-channel sends their database reads; without it every send asks the database. */
  cache?: SendAccessCache;
  now?: () => Date;
}

export class MessagesService {
  private readonly now: () => Date;
  private readonly writer: MessageWriter;

  constructor(private readonly deps: MessagesDeps) {
    this.now = deps.now ?? (() => new Date());
    this.writer = new MessageWriter(deps.db);
  }

  /**
   * Stores the message, then reports it. A repeated nonce from the same author returns the
   * message that nonce first made, and tells no one again.
   */
  async send(actor: Actor, channelId: bigint, body: SendMessageBody): Promise<Outcome<Message>> {
    await this.deps.rateLimit.take(actor.id);
    const target = await this.target(channelId, actor.id);
    if (target.type === 'voice') throw invalidInput('Voice channels hold no messages.');
    if (target.dmEnds) await this.deps.dm?.canSend(this.deps.db, target.dmEnds, actor.id);
    const mentions = await this.resolveMentions(target.serverId, target.dmEnds, body.content);
    const row = await this.writer
      .insert({
        id: this.deps.ids.next(),
        channelId,
        authorId: actor.id,
        content: body.content,
        mentions,
        nonce: body.nonce ?? null,
        createdAt: this.now(),
      })
      .catch((err: unknown) => {
        // The channel was deleted after it was looked up (the cache had not heard yet).
        if (isForeignKeyViolation(err)) throw notFound('No such channel.');
        throw err;
      });
    if (!row) {
      const first =
        body.nonce === undefined ? undefined : await findByNonce(this.deps.db, actor.id, body.nonce);
      if (!first) throw new Error('nonce conflict without a first message');
      return { result: toMessage(first.message, first.author), events: [] };
    }
    const message = toMessage(row, actor);
    return { result: message, events: [dispatch('message_create', message, target.audience)] };
  }

  async history(userId: bigint, channelId: bigint, query: HistoryQuery): Promise<Message[]> {
    const target = await this.target(channelId, userId);
    if (target.type === 'voice') return [];
    const rows = await historyPage(this.deps.db, channelId, {
      ...(query.before === undefined ? {} : { before: BigInt(query.before) }),
      ...(query.after === undefined ? {} : { after: BigInt(query.after) }),
      limit: query.limit,
    });
    return rows.map((r) => toMessage(r.message, r.author));
  }

  async edit(actor: Actor, channelId: bigint, messageId: bigint, content: string): Promise<Outcome<Message>> {
    const access = await this.access(channelId, actor.id);
    const found = await findMessage(this.deps.db, channelId, messageId);
    if (!found) throw notFound('No such message.');
    if (found.message.authorId !== actor.id) throw forbidden('You can only edit your own messages.');
    const mentions = await this.resolveMentions(access.channel.serverId, access.dmEnds, content);
    const row = await updateContent(this.deps.db, messageId, content, mentions, this.now());
    if (!row) throw notFound('No such message.');
    const message = toMessage(row, found.author);
    return { result: message, events: [dispatch('message_update', message, access.audience)] };
  }

  /** The author may delete their message; so may the owner of the server it is in. */
  async delete(actor: Actor, channelId: bigint, messageId: bigint): Promise<Outcome<void>> {
    const access = await this.access(channelId, actor.id);
    const found = await findMessage(this.deps.db, channelId, messageId);
    if (!found) throw notFound('No such message.');
    if (found.message.authorId !== actor.id && !access.server?.isOwner) {
      throw forbidden('You can only delete your own messages.');
    }
    if (!(await deleteMessage(this.deps.db, messageId))) throw notFound('No such message.');
    const d = { id: messageId.toString(), channelId: channelId.toString() };
    return { result: undefined, events: [dispatch('message_delete', d, access.audience)] };
  }

  private access(channelId: bigint, userId: bigint): Promise<ChannelAccess> {
    return channelAccess(this.deps.db, channelId, userId, this.deps.dm?.ends);
  }

  /**
   * Where a send or a history read goes, and whether this user may: from memory when the cache
   * knows the channel and the user's membership, else from the database.
   */
  private async target(channelId: bigint, userId: bigint): Promise<ChannelTarget> {
    const cache = this.deps.cache;
    const known = cache?.channel(channelId);
    if (known && cache?.isMember(known.serverId, userId)) {
      const audience = serverScope(known.serverId);
      return { type: known.type, serverId: known.serverId, dmEnds: undefined, audience };
    }
    const generation = cache?.generation ?? 0;
    const access = await this.access(channelId, userId);
    const { type, serverId } = access.channel;
    if (serverId !== null) cache?.remember(channelId, { type, serverId }, userId, generation);
    return { type, serverId, dmEnds: access.dmEnds, audience: access.audience };
  }

  private async resolveMentions(
    serverId: bigint | null,
    dmEnds: bigint[] | undefined,
    content: string,
  ): Promise<bigint[]> {
    const names = mentionedNames(content);
    if (names.length === 0) return [];
    if (serverId !== null) return membersNamed(this.deps.db, serverId, names);
    return usersNamed(this.deps.db, dmEnds ?? [], names);
  }
}

/** PostgreSQL's foreign_key_violation; Drizzle may wrap the driver's error as its cause. */
function isForeignKeyViolation(err: unknown): boolean {
  const e = err as { code?: unknown; cause?: { code?: unknown } };
  return e.code === '23503' || e.cause?.code === '23503';
}
