import * as z from 'zod';
import {
  EmailSchema,
  IdSchema,
  InviteCodeSchema,
  NO_CONTROL,
  PasswordSchema,
  UsernameSchema,
} from './common.js';
import { UserSchema } from './users.js';

export const SignupBodySchema = z
  .strictObject({
    username: UsernameSchema,
    password: PasswordSchema,
    email: EmailSchema.optional(),
    inviteCode: InviteCodeSchema.optional(),
  })
  .meta({ id: 'SignupBody' });
export type SignupBody = z.infer<typeof SignupBodySchema>;

export const LoginBodySchema = z
  .strictObject({
    // Login accepts any plausible string so that old or odd usernames still get a 401, not a 400.
    username: z.string().min(1).max(64).regex(NO_CONTROL, 'must not contain control characters'),
    password: z.string().min(1).max(256),
  })
  .meta({ id: 'LoginBody' });
export type LoginBody = z.infer<typeof LoginBodySchema>;

export const AuthResponseSchema = z
  .object({
    token: z.string(),
    user: UserSchema,
    /** Sign-up with a server invite: the server the new account joined (the app opens it). */
    joinedServerId: IdSchema.optional(),
  })
  .meta({ id: 'AuthResponse' });
export type AuthResponse = z.infer<typeof AuthResponseSchema>;

export const InviteResponseSchema = z.object({ code: z.string() }).meta({ id: 'Invite' });
export type InviteResponse = z.infer<typeof InviteResponseSchema>;

/** Name of the session cookie, and the header a cookie-authenticated write must carry. */
export const SESSION_COOKIE = 'decentra_session';
/**
 * The known-device cookie a successful login or signup sets (HttpOnly, path `/api/auth`): a later
 * login to that account from that browser is not held up by other people's failed logins.
 */
export const KNOWN_DEVICE_COOKIE = 'decentra_device';
export const CSRF_HEADER = 'x-requested-with';
export const CSRF_HEADER_VALUE = 'decentra';
