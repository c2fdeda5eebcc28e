import {
  type Attachment,
  type CallRecord,
  type HistoryQuery,
  type LinkEmbed,
  linksIn,
  type Message,
  type Reaction,
  type SendMessageBody,
} from '@decentra/protocol';
import { forbidden, invalidInput, notFound } from '../../infra/errors.js';
import type { IdGenerator } from '../../infra/ids.js';
import type { Actor } from '../../kernel/actor.js';
import { type Audience, dispatch, serverScope, toUsers } from '../../kernel/events.js';
import { combine, Listeners, type Outcome, outcome } from '../../kernel/outcome.js';
import type { Db } from '../../storage/db.js';
import type { ChannelAccess } from '../access/access.policy.js';
import type { AccessService } from '../access/access.service.js';
import type { SendAccessCache } from '../channels/send-access-cache.js';
import { everyoneWord, mentionedNames } from './mentions.js';
import { toEditedMessage, toMessage } from './message-dto.js';
import { MessageWriter } from './message-writer.js';
import {
  deleteMessage,
  findByNonce,
  findMessage,
  findReplyTarget,
  historyAround,
  historyPage,
  type MessageWithAuthor,
  membersNamed,
  messagesByIds,
  type ReplySnapshot,
  replaceMentions,
  updateContent,
  updateEmbeds,
  usersNamed,
} from './messages.repo.js';
import type { SendRateLimit } from './send-rate-limit.js';

/** A channel as sending and reading see it: enough to check, store and tell the right people. */
interface ChannelTarget {
  type: ChannelAccess['channel']['type'];
  serverId: bigint | null;
  dmEnds: readonly bigint[] | undefined;
  audience: Audience;
}

/** Whether the sender may write to the other end of a DM now (the DM feature decides: friendship). */
export type DmSendCheck = (db: Db, ends: readonly bigint[], senderId: bigint) => Promise<void>;

/** The reactions of messages by id, as `viewerId` sees them (the reactions feature answers). */
export type ReactionsOf = (
  db: Db,
  messageIds: readonly bigint[],
  viewerId: bigint,
) => Promise<Map<string, Reaction[]>>;

/** Files sent with messages (the attachments feature): claimed by a send, read with history. */
export interface MessageAttachments {
  /** Marks the sender's unsent uploads of the channel as the message's, in order; refuses if any is not. */
  claim(
    senderId: bigint,
    channelId: bigint,
    messageId: bigint,
    ids: readonly string[],
  ): Promise<Attachment[]>;
  /** Undoes the claim of a message that was not written. */
  release(messageId: bigint): Promise<void>;
  of(db: Db, messageIds: readonly bigint[]): Promise<Map<string, Attachment[]>>;
}

export interface MessagesDeps {
  db: Db;
  ids: IdGenerator;
  access: AccessService;
  rateLimit: SendRateLimit;
  canSendDm: DmSendCheck;
  /** Adds reactions to history pages; without it pages carry none. */
  reactionsOf?: ReactionsOf;
  /** Spares server-channel sends their database reads; without it every send asks the database. */
  cache?: SendAccessCache;
  /** Lets messages carry files; without it, a send with attachments is refused. */
  attachments?: MessageAttachments;
  /** Told the size of every group commit (the metrics). */
  onGroupCommit?: (rows: number) => void;
  now?: () => Date;
}

/** A message just stored (its commit done), with where it was written. */
export interface MessageCreated {
  message: Message;
  /** The channel's server; null for a DM. */
  serverId: bigint | null;
  /** The two ends of a DM; undefined for a server channel. */
  dmEnds: readonly bigint[] | undefined;
}

/** A message just edited (told inside the edit's transaction), with who hears of it. */
export interface MessageEdited {
  message: Message;
  audience: Audience;
}

export class MessagesService {
  private readonly now: () => Date;
  private readonly writer: MessageWriter;
  /** Told of every new message a person sent, after its commit (Web Push listens). */
  readonly onCreated = new Listeners<[MessageCreated]>();
  /** Told of every edit, inside its transaction (link previews listen). */
  readonly onEdited = new Listeners<[MessageEdited]>();
  /** Told inside the deletion's transaction (the files feature collects the blobs it freed after). */
  readonly onDeleted = new Listeners<[{ channelId: bigint; messageId: bigint }]>();

  constructor(private readonly deps: MessagesDeps) {
    this.now = deps.now ?? (() => new Date());
    this.writer = new MessageWriter(deps.db, deps.onGroupCommit);
  }

  /**
   * Stores the message (through the group commit, which commits it before this returns), then
   * reports it. A repeated nonce from the same author returns the message that nonce first made,
   * and tells no one again, unless another process stored it (then it is told again: see below).
   */
  async send(actor: Actor, channelId: bigint, body: SendMessageBody): Promise<Outcome<Message>> {
    const { db, ids, rateLimit, canSendDm } = this.deps;
    await rateLimit.take(actor.id);
    const target = await this.target(channelId, actor.id);
    if (target.type === 'voice') throw invalidInput('Voice channels hold no messages.');
    if (target.dmEnds) await canSendDm(db, target.dmEnds, actor.id);
    const content = body.content ?? '';
    const names = mentionedNames(content);
    const reply = await this.replyOf(channelId, actor.id, body).catch(async (err: unknown) => {
      // A resend of a reply stored before its original was deleted answers the stored reply.
      const first = body.nonce === undefined ? undefined : await findByNonce(db, actor.id, body.nonce);
      if (first) return first;
      throw err;
    });
    if (reply && 'message' in reply) return outcome(full(reply));
    const named = await this.resolveMentions(db, target.serverId, target.dmEnds, names);
    const mentions = withReplyMention(named, reply?.mentionId ?? null);
    const mentionEveryone = await this.everyoneOf(names, target.serverId, async (serverId) => {
      // Only a message that writes one of the two words pays for this read.
      const standing = await this.deps.access.server(db, serverId, actor.id);
      return standing.permissions.mentionEveryone;
    });
    const id = ids.next();
    const files = await this.claimFiles(actor.id, channelId, id, body);
    const row = await this.writer
      .insert({
        id,
        channelId,
        authorId: actor.id,
        content,
        mentions,
        mentionEveryone,
        nonce: body.nonce ?? null,
        createdAt: this.now(),
        replyToId: reply?.id ?? null,
        replyMentionId: reply?.mentionId ?? null,
      })
      .catch(async (err: unknown) => {
        if (files.length > 0) await this.deps.attachments?.release(id);
        // The channel was deleted after it was looked up (the cache had not heard yet).
        if (isForeignKeyViolation(err)) throw notFound('No such channel.');
        throw err;
      });
    if (!row && files.length > 0) await this.deps.attachments?.release(id);
    if (!row) {
      const first = body.nonce === undefined ? undefined : await findByNonce(db, actor.id, body.nonce);
      if (!first) throw new Error('nonce conflict without a first message');
      const [message] = await this.withReactions([full(first)], actor.id);
      if (!message) throw new Error('nonce conflict without a first message');
      if (ids.mayHaveMade(first.message.id)) return outcome(message);
      // Stored by another process (a resend after its instance went away): that one may have died
      // between its commit and its publish, so the others are told now. At least once: clients
      // merge by id, and one that heard the first copy hears this one as the same message.
      const told = withFiles(full(first), message.attachments ?? []);
      return outcome(message, [dispatch('message_create', told, target.audience)]);
    }
    const message = withFiles(toMessage(row, actor, { original: reply?.snapshot }), files);
    const told = this.onCreated.tell({ message, serverId: target.serverId, dmEnds: target.dmEnds });
    return combine(message, [outcome(message, [dispatch('message_create', message, target.audience)]), told]);
  }

  /**
   * A finished call's record in the pair's DM, written through the group commit like any message:
   * author = the caller, empty content, `call` = how it ended. The server writes it whatever the
   * friendship is now (a call ended by unfriending is recorded too); both ends hear `message_create`.
   */
  async recordCall(call: {
    channelId: bigint;
    caller: Actor;
    callee: bigint;
    record: CallRecord;
  }): Promise<Outcome<Message>> {
    const row = await this.writer.insert({
      id: this.deps.ids.next(),
      channelId: call.channelId,
      authorId: call.caller.id,
      content: '',
      mentions: [],
      nonce: null,
      createdAt: this.now(),
      callOutcome: call.record.outcome,
      callDurationSeconds: call.record.durationSeconds,
    });
    if (!row) throw new Error('a call record without a nonce was not stored');
    const message = toMessage(row, call.caller);
    return outcome(message, [dispatch('message_create', message, toUsers(call.caller.id, call.callee))]);
  }

  async history(userId: bigint, channelId: bigint, query: HistoryQuery): Promise<Message[]> {
    const target = await this.target(channelId, userId);
    if (target.type === 'voice') return [];
    if (query.around !== undefined) {
      const rows = await historyAround(this.deps.db, channelId, BigInt(query.around), query.limit);
      return this.withReactions(rows.map(full), userId);
    }
    const rows = await historyPage(this.deps.db, channelId, {
      ...(query.before === undefined ? {} : { before: BigInt(query.before) }),
      ...(query.after === undefined ? {} : { after: BigInt(query.after) }),
      limit: query.limit,
    });
    return this.withReactions(rows.map(full), userId);
  }

  /** Messages of a channel by id, as history shows them to `viewerId` (the pins list asks; no access check). */
  async byIds(channelId: bigint, ids: bigint[], viewerId: bigint): Promise<Message[]> {
    return this.withReactions((await messagesByIds(this.deps.db, channelId, ids)).map(full), viewerId);
  }

  /**
   * Each message with its reactions as `viewerId` sees them, and its files: one grouped query
   * for each.
   */
  private async withReactions(list: Message[], viewerId: bigint): Promise<Message[]> {
    const { reactionsOf, attachments, db } = this.deps;
    if (list.length === 0) return list;
    const ids = list.map((m) => BigInt(m.id));
    const [reactions, files] = await Promise.all([
      reactionsOf?.(db, ids, viewerId),
      attachments?.of(db, ids),
    ]);
    return list.map((m) =>
      withFiles(reactions ? { ...m, reactions: reactions.get(m.id) ?? [] } : m, files?.get(m.id) ?? []),
    );
  }

  /** The send's files, claimed for message `id` before it is written (none: no query). */
  private async claimFiles(
    senderId: bigint,
    channelId: bigint,
    id: bigint,
    body: SendMessageBody,
  ): Promise<Attachment[]> {
    const wanted = body.attachments ?? [];
    if (wanted.length === 0) return [];
    const { attachments, db } = this.deps;
    if (!attachments) throw invalidInput('This server takes no files.');
    return attachments.claim(senderId, channelId, id, wanted).catch(async (err: unknown) => {
      // A resend of a send that went through: its nonce answers the first (the caller checks).
      if (body.nonce !== undefined && (await findByNonce(db, senderId, body.nonce))) return [];
      throw err;
    });
  }

  async edit(
    tx: Db,
    actor: Actor,
    channelId: bigint,
    messageId: bigint,
    content: string,
  ): Promise<Outcome<Message>> {
    const standing = await this.deps.access.channel(tx, channelId, actor.id, true);
    const found = await findMessage(tx, channelId, messageId);
    if (!found) throw notFound('No such message.');
    if (found.message.authorId !== actor.id) throw forbidden('You can only edit your own messages.');
    if (found.message.callOutcome !== null) throw forbidden('A call record cannot be edited.');
    const names = mentionedNames(content);
    const named = await this.resolveMentions(tx, standing.channel.serverId, standing.dmEnds, names);
    // A reply's mention of the original's author came from replying, not from the text: it stays.
    const mentions = withReplyMention(named, found.message.replyMentionId);
    const mentionEveryone = await this.everyoneOf(
      names,
      standing.channel.serverId,
      async () => standing.server?.permissions.mentionEveryone ?? false,
    );
    // Previews of links the new text still has stay; those of new links come later.
    const links = new Set(linksIn(content).map((u) => u.href));
    const embeds = found.message.embeds?.filter((e) => links.has(e.url)) ?? null;
    const row = await updateContent(tx, messageId, content, mentions, mentionEveryone, this.now(), embeds);
    if (!row) throw notFound('No such message.');
    // The unread mentions follow the new text, in the edit's transaction.
    await replaceMentions(tx, row);
    const message = toEditedMessage(row, found.author, found);
    const told = this.onEdited.tell({ message, audience: standing.audience });
    return combine(message, [
      outcome(message, [dispatch('message_update', message, standing.audience)]),
      told,
    ]);
  }

  /**
   * The link previews found for a message (the previews feature calls this once it has fetched
   * them): stored when the text is still the one they were made for, and told as `message_update`
   * unless they are the ones it already has.
   */
  async setEmbeds(
    tx: Db,
    channelId: bigint,
    messageId: bigint,
    forContent: string,
    embeds: LinkEmbed[],
    audience: Audience,
  ): Promise<Outcome<void>> {
    const found = await findMessage(tx, channelId, messageId);
    if (!found || found.message.content !== forContent) return outcome(undefined);
    if (JSON.stringify(found.message.embeds ?? []) === JSON.stringify(embeds)) return outcome(undefined);
    const row = await updateEmbeds(tx, messageId, forContent, embeds);
    if (!row) return outcome(undefined);
    const message = toEditedMessage(row, found.author, found);
    return outcome(undefined, [dispatch('message_update', message, audience)]);
  }

  /** The author may delete their message; so may the owner of the server it is in. */
  async delete(tx: Db, actor: Actor, channelId: bigint, messageId: bigint): Promise<Outcome<void>> {
    const standing = await this.deps.access.channel(tx, channelId, actor.id, true);
    const found = await findMessage(tx, channelId, messageId);
    if (!found) throw notFound('No such message.');
    if (found.message.authorId !== actor.id && !standing.server?.isOwner) {
      throw forbidden('You can only delete your own messages.');
    }
    if (!(await deleteMessage(tx, channelId, messageId))) throw notFound('No such message.');
    const d = { id: messageId.toString(), channelId: channelId.toString() };
    return combine(undefined, [
      outcome(undefined, [dispatch('message_delete', d, standing.audience)]),
      this.onDeleted.tell({ channelId, messageId }),
    ]);
  }

  /**
   * Where a send or a history read goes, and whether this user may: from memory when the cache
   * knows the channel and the user's membership, else from the database.
   */
  private async target(channelId: bigint, userId: bigint): Promise<ChannelTarget> {
    const { cache, access, db } = this.deps;
    const known = cache?.channel(channelId);
    if (known && cache?.isMember(known.serverId, userId)) {
      const audience = serverScope(known.serverId);
      return { type: known.type, serverId: known.serverId, dmEnds: undefined, audience };
    }
    const generation = cache?.generation ?? 0;
    const standing = await access.channel(db, channelId, userId);
    const { type, serverId } = standing.channel;
    if (serverId !== null) cache?.remember(channelId, { type, serverId }, userId, generation);
    return { type, serverId, dmEnds: standing.dmEnds, audience: standing.audience };
  }

  /**
   * The message a send answers, if it is a reply: it must be a message of the same channel (else
   * invalid_input). Its author is mentioned unless the sender turned that off, replies to
   * themself, or the author is no longer in the server.
   */
  private async replyOf(
    channelId: bigint,
    senderId: bigint,
    body: SendMessageBody,
  ): Promise<{ id: bigint; snapshot: ReplySnapshot; mentionId: bigint | null } | undefined> {
    if (body.replyTo === undefined) return undefined;
    const id = BigInt(body.replyTo);
    const original = await findReplyTarget(this.deps.db, channelId, id);
    if (!original) throw invalidInput('You can only reply to a message of this channel.');
    const mentions = body.mentionReplied !== false && original.author.id !== senderId && original.mentionable;
    return { id, snapshot: original, mentionId: mentions ? original.author.id : null };
  }

  private async resolveMentions(
    db: Db,
    serverId: bigint | null,
    dmEnds: readonly bigint[] | undefined,
    names: string[],
  ): Promise<bigint[]> {
    if (names.length === 0) return [];
    if (serverId !== null) return membersNamed(db, serverId, names);
    return usersNamed(db, dmEnds ?? [], names);
  }

  /**
   * `@everyone`/`@here` mention the server when written in a server channel by someone allowed
   * (the owner, or a member with the right); otherwise, and in DMs, they are plain text. `allowed`
   * is asked only when the content writes one of the words, so other messages pay nothing.
   */
  private async everyoneOf(
    names: readonly string[],
    serverId: bigint | null,
    allowed: (serverId: bigint) => Promise<boolean>,
  ): Promise<'everyone' | 'here' | null> {
    const word = everyoneWord(names);
    if (word === undefined || serverId === null) return null;
    return (await allowed(serverId)) ? word : null;
  }
}

function full(r: MessageWithAuthor): Message {
  return toMessage(r.message, r.author, r);
}

/** The message with its files (absent when none: the DTO's field is optional). */
function withFiles(message: Message, files: Attachment[]): Message {
  return files.length > 0 ? { ...message, attachments: files } : message;
}

function withReplyMention(named: bigint[], replyMentionId: bigint | null): bigint[] {
  if (replyMentionId === null || named.includes(replyMentionId)) return named;
  return [...named, replyMentionId];
}

/** PostgreSQL's foreign_key_violation; Drizzle may wrap the driver's error as its cause. */
function isForeignKeyViolation(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (e: unknown) => (typeof e === 'object' && e !== null && 'code' in e ? e.code : undefined);
  return code(err) === '23503' || code(err.cause) === '23503';
}
