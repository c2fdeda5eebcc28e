import * as z from 'zod';
import { IdSchema } from './common.js';

export const PresenceStatusSchema = z.enum(['online', 'offline']);
export type PresenceStatus = z.infer<typeof PresenceStatusSchema>;

export const PresenceSchema = z.object({ userId: IdSchema, status: PresenceStatusSchema });
export type Presence = z.infer<typeof PresenceSchema>;

/**
 * Several presence changes for one user at once (a reconnect storm): who is online and who is
 * offline now, each user in one list at most once. Ids only, no object per change: in a storm
 * these are most of the bytes a server sends.
 */
export const PresenceBatchSchema = z
  .object({ online: z.array(IdSchema), offline: z.array(IdSchema) })
  .refine((b) => b.online.length + b.offline.length >= 2, {
    message: 'a batch holds two changes or more (one is a presence_update)',
  });
export type PresenceBatch = z.infer<typeof PresenceBatchSchema>;
