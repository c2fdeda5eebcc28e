import * as z from 'zod';
import { EmailSchema, IdSchema, IsoTimeSchema, PasswordSchema } from './common.js';
import { UserSettingsSchema } from './settings.js';
import { UserRefSchema, UserSchema } from './users.js';

/** Any password a user types to prove it is them: checked, never validated for strength. */
const CurrentPasswordSchema = z.string().min(1).max(256);

export const ChangePasswordBodySchema = z
  .strictObject({ currentPassword: CurrentPasswordSchema, newPassword: PasswordSchema })
  .meta({ id: 'ChangePasswordBody' });

/**
 * A new email address (null removes it), with the password. With SMTP on, the address is pending
 * until the link mailed to it is opened; with SMTP off, it is set at once.
 */
export const ChangeEmailBodySchema = z
  .strictObject({ email: EmailSchema.nullable(), password: CurrentPasswordSchema })
  .meta({ id: 'ChangeEmailBody' });
export const ChangeEmailResultSchema = z
  .object({ status: z.enum(['changed', 'confirmation_sent']) })
  .meta({ id: 'ChangeEmailResult' });

/** The token from a mailed link (password reset, email confirmation). */
const MailTokenSchema = z
  .string()
  .min(16)
  .max(128)
  .regex(/^[A-Za-z0-9_-]+$/, 'is not a valid link token');

export const ConfirmEmailBodySchema = z
  .strictObject({ token: MailTokenSchema })
  .meta({ id: 'ConfirmEmailBody' });

export const PasswordResetRequestBodySchema = z
  .strictObject({ email: EmailSchema })
  .meta({ id: 'PasswordResetRequestBody' });
export const PasswordResetConfirmBodySchema = z
  .strictObject({ token: MailTokenSchema, password: PasswordSchema })
  .meta({ id: 'PasswordResetConfirmBody' });

/** One login session of mine, as the account settings list them. */
export const LoginSessionSchema = z
  .object({
    id: IdSchema,
    /** The session this request came with. */
    current: z.boolean(),
    /** From the user agent at login: "Firefox 133", "Chrome 131", or "Unknown browser". */
    browser: z.string(),
    /** "Windows 10", "macOS", "Android 15", "Linux", or "Unknown system". */
    os: z.string(),
    /** The address it logged in from (through trusted proxies). */
    address: z.string(),
    createdAt: IsoTimeSchema,
    lastActiveAt: IsoTimeSchema,
  })
  .meta({ id: 'LoginSession' });
export type LoginSession = z.infer<typeof LoginSessionSchema>;

export const SessionParamsSchema = z.strictObject({ sessionId: IdSchema });

/**
 * Deleting my account: the password, and for every server I own, who takes it over (a member's
 * id) or null to delete it. Every owned server must be named.
 */
export const DeleteAccountBodySchema = z
  .strictObject({
    password: CurrentPasswordSchema,
    ownedServers: z
      .array(z.strictObject({ serverId: IdSchema, transferTo: IdSchema.nullable() }))
      .max(1000)
      .default([]),
  })
  .meta({ id: 'DeleteAccountBody' });
export type DeleteAccountBody = z.input<typeof DeleteAccountBodySchema>;

/** What a deleted account's messages show as its author. */
export const DELETED_USER_NAME = 'Deleted user';

/** Everything the server keeps about me, as one JSON document (GET /api/users/@me/export). */
export const AccountExportSchema = z
  .object({
    format: z.literal('decentra-account-export/1'),
    exportedAt: IsoTimeSchema,
    user: UserSchema,
    settings: UserSettingsSchema,
    servers: z.array(
      z.object({ id: IdSchema, name: z.string(), owner: z.boolean(), joinedAt: IsoTimeSchema }),
    ),
    friends: z.array(z.object({ user: UserRefSchema, since: IsoTimeSchema })),
    dms: z.array(z.object({ channelId: IdSchema, with: UserRefSchema })),
    /** Every message I wrote, oldest first, wherever it is (a DM: no serverId). */
    messages: z.array(
      z.object({
        id: IdSchema,
        channelId: IdSchema,
        serverId: IdSchema.optional(),
        channelName: z.string(),
        content: z.string(),
        createdAt: IsoTimeSchema,
        editedAt: IsoTimeSchema.optional(),
      }),
    ),
    sessions: z.array(LoginSessionSchema),
  })
  .meta({ id: 'AccountExport' });
export type AccountExport = z.infer<typeof AccountExportSchema>;
