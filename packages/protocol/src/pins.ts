import * as z from 'zod';
import { IdSchema, IsoTimeSchema } from './common.js';
import { MessageSchema } from './messages.js';
import { UserRefSchema } from './users.js';

/** The most messages one channel keeps pinned. */
export const MAX_PINS_PER_CHANNEL = 50;

export const PinParamsSchema = z.strictObject({ channelId: IdSchema, messageId: IdSchema });

/** A pinned message with who pinned it and when (GET /channels/:id/pins: newest pin first). */
export const PinSchema = z
  .object({ message: MessageSchema, pinnedBy: UserRefSchema, pinnedAt: IsoTimeSchema })
  .meta({ id: 'Pin' });
export type Pin = z.infer<typeof PinSchema>;

/** `channel_pins_update`: a message of the channel was pinned or unpinned. */
export const ChannelPinsUpdateEventSchema = z.object({
  channelId: IdSchema,
  messageId: IdSchema,
  pinned: z.boolean(),
});
export type ChannelPinsUpdate = z.infer<typeof ChannelPinsUpdateEventSchema>;
