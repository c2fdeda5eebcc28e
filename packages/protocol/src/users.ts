import * as z from 'zod';
import { EmailSchema, IdSchema, IsoTimeSchema } from './common.js';

/**
 * An avatar or server icon: the sha256 (hex) of its 256×256 webp. Clients show
 * `avatarUrl(hash)`; the same picture always has the same hash, so it is cached forever.
 */
export const ImageHashSchema = z
  .string()
  .regex(/^[0-9a-f]{64}$/, 'must be an image hash (64 lower-case hex digits)')
  .meta({ id: 'ImageHash' });

/** Where an avatar or server icon is served (any logged-in user may fetch it). */
export function avatarUrl(hash: string): string {
  return `/api/avatars/${hash}`;
}

/** The largest avatar or icon upload the server reads, in bytes (it is resized to 256×256). */
export const MAX_AVATAR_UPLOAD_BYTES = 8 * 1024 * 1024;
/** The side of every stored avatar and icon, in pixels. */
export const AVATAR_SIZE = 256;

export const UserSchema = z
  .object({
    id: IdSchema,
    username: z.string(),
    email: EmailSchema.optional(),
    /** An address waiting for its confirmation link to be opened (it is not `email` yet). */
    pendingEmail: EmailSchema.optional(),
    isAdmin: z.boolean(),
    createdAt: IsoTimeSchema,
    /** Absent: no picture (clients draw the coloured initials). */
    avatar: ImageHashSchema.optional(),
  })
  .meta({ id: 'User' });
export type User = z.infer<typeof UserSchema>;

/** The public face of a user, as others see it. */
export const UserRefSchema = z
  .object({
    id: IdSchema,
    username: z.string(),
    /** Absent: no picture (clients draw the coloured initials). */
    avatar: ImageHashSchema.optional(),
  })
  .meta({ id: 'UserRef' });
export type UserRef = z.infer<typeof UserRefSchema>;

/** At most this many mutual servers and mutual friends in a profile, by name. */
export const PROFILE_MUTUAL_LIMIT = 50;

export const UserProfileSchema = z
  .object({
    id: IdSchema,
    username: z.string(),
    avatar: ImageHashSchema.optional(),
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
