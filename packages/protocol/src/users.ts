import * as z from 'zod';
import { EmailSchema, IdSchema, IsoTimeSchema } from './common.js';

export const UserSchema = z
  .object({
    id: IdSchema,
    username: z.string(),
    email: EmailSchema.optional(),
    /** An address waiting for its confirmation link to be opened (it is not `email` yet). */
    pendingEmail: EmailSchema.optional(),
    isAdmin: z.boolean(),
    createdAt: IsoTimeSchema,
  })
  .meta({ id: 'User' });
export type User = z.infer<typeof UserSchema>;

/** The public face of a user, as others see it. */
export const UserRefSchema = z.object({ id: IdSchema, username: z.string() }).meta({ id: 'UserRef' });
export type UserRef = z.infer<typeof UserRefSchema>;

/** At most this many mutual servers and mutual friends in a profile, by name. */
export const PROFILE_MUTUAL_LIMIT = 50;

export const UserProfileSchema = z
  .object({
    id: IdSchema,
    username: z.string(),
    /** When the account was made ("member since"). */
    createdAt: IsoTimeSchema,
    /** As in user search: friends, a request either way, or none (also for yourself). */
    relationship: z.enum(['friend', 'incoming', 'outgoing', 'none']),
    /** Servers both are in, with when this user joined each; empty for your own profile. */
    mutualServers: z.array(z.object({ id: IdSchema, name: z.string(), joinedAt: IsoTimeSchema })),
    /** Friends of both; empty for your own profile. */
    mutualFriends: z.array(UserRefSchema),
  })
  .meta({ id: 'UserProfile' });
export type UserProfile = z.infer<typeof UserProfileSchema>;
