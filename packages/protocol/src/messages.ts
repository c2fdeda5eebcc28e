import * as z from 'zod';
import { AttachmentSchema, MAX_ATTACHMENTS_PER_MESSAGE } from './attachments.js';
import { IdSchema, IsoTimeSchema, NO_CONTROL, NO_NUL } from './common.js';
import { LinkEmbedSchema } from './embeds.js';
import { ReactionSchema } from './reactions.js';
import { UserRefSchema } from './users.js';
import { CallOutcomeSchema } from './voice.js';

export const MAX_MESSAGE_LENGTH = 4000;
export const MAX_HISTORY_PAGE = 100;
export const DEFAULT_HISTORY_PAGE = 50;

export const ContentSchema = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(MAX_MESSAGE_LENGTH, `must be at most ${MAX_MESSAGE_LENGTH} characters`)
  .regex(NO_NUL, 'must not contain NUL characters');

/** A send's content: it may be empty (or absent) only when the message carries files. */
const SendContentSchema = z
  .string()
  .trim()
  .max(MAX_MESSAGE_LENGTH, `must be at most ${MAX_MESSAGE_LENGTH} characters`)
  .regex(NO_NUL, 'must not contain NUL characters');

/** Uploads of the sender's (POST …/attachments) not sent yet, in the order the message shows them. */
const SendAttachmentsSchema = z
  .array(IdSchema)
  .max(MAX_ATTACHMENTS_PER_MESSAGE, `must be at most ${MAX_ATTACHMENTS_PER_MESSAGE} files`)
  .refine((ids) => new Set(ids).size === ids.length, 'must not name a file twice');

function contentOrFiles(
  body: { content?: string | undefined; attachments?: string[] | undefined },
  ctx: z.RefinementCtx,
) {
  if ((body.content ?? '') === '' && (body.attachments ?? []).length === 0) {
    ctx.addIssue({ code: 'custom', path: ['content'], message: 'must not be empty' });
  }
}

export const NonceSchema = z.string().min(1).max(64).regex(NO_CONTROL, 'must not contain control characters');

/** A call's record in a DM: the message's author is the caller; its content is empty. */
export const CallRecordSchema = z
  .object({ outcome: CallOutcomeSchema, durationSeconds: z.number().int().min(0) })
  .meta({ id: 'CallRecord' });
export type CallRecord = z.infer<typeof CallRecordSchema>;

/** How much of a replied-to message a reply carries with it. */
export const REPLY_SNAPSHOT_LENGTH = 200;

/**
 * What a reply points at: the original's id and a small snapshot of it (author, content cut to
 * REPLY_SNAPSHOT_LENGTH characters), or `message: null` when the original has been deleted.
 */
/** What a reply shows of the message it answers: its author, the start of its text, and what it holds besides. */
export const ReplyOriginalSchema = z
  .object({
    author: UserRefSchema,
    content: z.string(),
    /** How many files it has (absent when none): a message of files only has no text to quote. */
    attachmentCount: z.number().int().min(1).optional(),
    /** Set when it is a call's record. */
    call: z.literal(true).optional(),
  })
  .meta({ id: 'ReplyOriginal' });
export type ReplyOriginal = z.infer<typeof ReplyOriginalSchema>;

export const MessageReferenceSchema = z
  .object({
    messageId: IdSchema,
    message: ReplyOriginalSchema.nullable(),
  })
  .meta({ id: 'MessageReference' });
export type MessageReference = z.infer<typeof MessageReferenceSchema>;

/** The line a reply quotes: the original's text, else "Call", else its files ("Attachment", "3 attachments"). */
export function replyQuoteText(original: ReplyOriginal): string {
  if (original.content !== '') return original.content;
  if (original.call) return 'Call';
  const n = original.attachmentCount ?? 0;
  if (n === 0) return '';
  return n === 1 ? 'Attachment' : `${n} attachments`;
}

export const MessageSchema = z
  .object({
    id: IdSchema,
    channelId: IdSchema,
    author: UserRefSchema,
    content: z.string(),
    mentions: z.array(IdSchema),
    /** `@everyone` or `@here` written by someone allowed to (the owner, or the "mention everyone" right). */
    mentionEveryone: z.enum(['everyone', 'here']).optional(),
    createdAt: IsoTimeSchema,
    editedAt: IsoTimeSchema.nullable(),
    nonce: z.string().optional(),
    /** Set on a call's record (missed, declined, or ended with its length), which the server writes. */
    call: CallRecordSchema.optional(),
    /** Set on a reply: the message it answers (same channel). */
    reference: MessageReferenceSchema.optional(),
    /** Pinned in its channel (absent means false). */
    pinned: z.boolean().optional(),
    /**
     * Reactions by emoji, in the order each emoji was first used; `me` is the reader's own. Left
     * out of `message_update` and the edit's answer (one copy for every reader: clients keep what
     * they hold, which the `reaction_*` events move).
     */
    reactions: z.array(ReactionSchema).optional(),
    /** Files sent with the message, in the order given (absent when none). */
    attachments: z.array(AttachmentSchema).optional(),
    /** Previews of its links, added by the server after the send (`message_update`). */
    embeds: z.array(LinkEmbedSchema).optional(),
  })
  .meta({ id: 'Message' });
export type Message = z.infer<typeof MessageSchema>;

export const SendMessageBodySchema = z
  .strictObject({
    /** Must not be empty, unless the message carries `attachments`. */
    content: SendContentSchema.optional(),
    nonce: NonceSchema.optional(),
    /** A message of the same channel this one answers. */
    replyTo: IdSchema.optional(),
    /** Whether a reply mentions the original's author (default true). */
    mentionReplied: z.boolean().optional(),
    attachments: SendAttachmentsSchema.optional(),
  })
  .superRefine(contentOrFiles)
  .meta({ id: 'SendMessageBody' });
export type SendMessageBody = z.infer<typeof SendMessageBodySchema>;

export const EditMessageBodySchema = z
  .strictObject({ content: ContentSchema })
  .meta({ id: 'EditMessageBody' });

export const HistoryQuerySchema = z
  .strictObject({
    before: IdSchema.optional(),
    after: IdSchema.optional(),
    /** A page centred on this id (a search result): `limit / 2` older messages, then it and newer. */
    around: IdSchema.optional(),
    limit: z.coerce.number<number>().int().min(1).max(MAX_HISTORY_PAGE).default(DEFAULT_HISTORY_PAGE),
  })
  .refine((q) => q.around === undefined || (q.before === undefined && q.after === undefined), {
    message: 'around goes without before and after',
  });
export type HistoryQuery = z.infer<typeof HistoryQuerySchema>;

/** Gateway op `send_message`: the same rules as POST /channels/:id/messages. */
export const SendMessageOpSchema = z
  .strictObject({
    channelId: IdSchema,
    content: SendContentSchema.optional(),
    nonce: NonceSchema,
    replyTo: IdSchema.optional(),
    mentionReplied: z.boolean().optional(),
    attachments: SendAttachmentsSchema.optional(),
  })
  .superRefine(contentOrFiles);

/** Gateway op `typing`: tells the others in the channel that you are typing. */
export const TypingOpSchema = z.strictObject({ channelId: IdSchema });

/** What a reply to `message` quotes (as the server snapshots it: the text cut to REPLY_SNAPSHOT_LENGTH). */
export function replyOriginalOf(
  message: Pick<Message, 'author' | 'content' | 'attachments' | 'call'>,
): ReplyOriginal {
  const files = message.attachments?.length ?? 0;
  return {
    author: message.author,
    content: message.content.slice(0, REPLY_SNAPSHOT_LENGTH),
    ...(files > 0 ? { attachmentCount: files } : {}),
    ...(message.call ? { call: true as const } : {}),
  };
}
