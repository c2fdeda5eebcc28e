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
