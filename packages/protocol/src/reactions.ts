import * as z from 'zod';
import { IdSchema } from './common.js';

/** At most this many different emoji on one message (any number of people each). */
export const MAX_REACTION_EMOJI = 20;
export const MAX_REACTORS_PAGE = 100;
export const DEFAULT_REACTORS_PAGE = 25;

/**
 * Exactly one emoji of Unicode's recommended (RGI) set: a single code point, a keycap, a flag, a
 * skin-tone or ZWJ sequence. The engine's own `\p{RGI_Emoji}` (regex `v` flag) is the data set, so
 * the server and the browser's picker agree without shipping a list; built at run time so that no
 * bundler rewrites the flag.
 */
// biome-ignore lint/complexity/useRegexLiterals: a literal with the `v` flag would need an ES2024 target.
const RGI_EMOJI = new RegExp('^\\p{RGI_Emoji}$', 'v');

export function isReactionEmoji(text: string): boolean {
  return text.length <= 64 && RGI_EMOJI.test(text);
}

export const EmojiSchema = z.string().refine(isReactionEmoji, 'must be one emoji');

/** One emoji's reactions on a message, as the viewer sees them (`me`: the viewer is among them). */
export const ReactionSchema = z
  .object({ emoji: z.string(), count: z.number().int().min(1), me: z.boolean() })
  .meta({ id: 'Reaction' });
export type Reaction = z.infer<typeof ReactionSchema>;

export const ReactionParamsSchema = z.strictObject({
  channelId: IdSchema,
  messageId: IdSchema,
  emoji: EmojiSchema,
});

/** Who reacted with one emoji: a page in user-id order, after `after`. */
export const ReactorsQuerySchema = z.strictObject({
  after: IdSchema.optional(),
  limit: z.coerce.number<number>().int().min(1).max(MAX_REACTORS_PAGE).default(DEFAULT_REACTORS_PAGE),
});
export type ReactorsQuery = z.infer<typeof ReactorsQuerySchema>;

/**
 * `reaction_add` / `reaction_remove`: who reacted, not the count, so that each recipient works
 * out `me` and the count from what it holds (one payload for every recipient).
 */
export const ReactionEventSchema = z
  .object({ channelId: IdSchema, messageId: IdSchema, emoji: z.string(), userId: IdSchema })
  .meta({ id: 'ReactionEvent' });
export type ReactionEvent = z.infer<typeof ReactionEventSchema>;
