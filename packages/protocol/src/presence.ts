import * as z from 'zod';
import { IdSchema } from './common.js';

export const PresenceStatusSchema = z.enum(['online', 'offline']);
export type PresenceStatus = z.infer<typeof PresenceStatusSchema>;

export const PresenceSchema = z.object({ userId: IdSchema, status: PresenceStatusSchema });
export type Presence = z.infer<typeof PresenceSchema>;

/** Several presence changes for one user at once (a reconnect storm), applied in order. */
export const PresenceBatchSchema = z.object({ presences: z.array(PresenceSchema).min(2) });
export type PresenceBatch = z.infer<typeof PresenceBatchSchema>;
