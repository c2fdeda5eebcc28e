import * as z from 'zod';
import { IdSchema, IsoTimeSchema, NO_CONTROL, NO_NUL } from './common.js';
import { UserRefSchema } from './users.js';

/** Who may create an account: invite-only (the default), anyone (open), or nobody (closed). */
export const REGISTRATION_MODES = ['invite', 'open', 'closed'] as const;
export const RegistrationModeSchema = z.enum(REGISTRATION_MODES);
export type RegistrationMode = z.infer<typeof RegistrationModeSchema>;

const SingleLine = (max: number) =>
  z.string().trim().max(max).regex(NO_CONTROL, 'must not contain control characters');

export const InstanceSettingsSchema = z
  .strictObject({
    /** Shown on the login page, in the tab title and in every mail. */
    name: SingleLine(64).min(1, 'must not be empty'),
    registration: RegistrationModeSchema,
  })
  .meta({ id: 'InstanceSettings' });
export type InstanceSettings = z.infer<typeof InstanceSettingsSchema>;

export const DEFAULT_INSTANCE_SETTINGS: InstanceSettings = { name: 'Decentra', registration: 'invite' };

/**
 * The welcome mail a new account with an email gets (when SMTP is on). `{username}`, `{instance}`
 * and `{url}` in the subject or text are replaced (`renderMailTemplate`).
 */
export const WelcomeMailSettingsSchema = z
  .strictObject({
    enabled: z.boolean(),
    subject: SingleLine(200).min(1, 'must not be empty'),
    // Plain text: a mail body, never rendered as HTML anywhere.
    text: z.string().max(5000).regex(NO_NUL, 'must not contain NUL'),
  })
  .meta({ id: 'WelcomeMailSettings' });
export type WelcomeMailSettings = z.infer<typeof WelcomeMailSettingsSchema>;

export const DEFAULT_WELCOME_MAIL: WelcomeMailSettings = {
  enabled: true,
  subject: 'Welcome to {instance}',
  text: 'Hello {username},\n\nyour account on {instance} is ready: {url}\n\nSee you in the chat!\n',
};

export interface MailTemplateValues {
  username: string;
  instance: string;
  url: string;
}

/** Fills `{username}`, `{instance}` and `{url}`; anything else in braces stays as written. */
export function renderMailTemplate(template: string, values: MailTemplateValues): string {
  return template.replace(/\{(username|instance|url)\}/g, (_, key: keyof MailTemplateValues) => values[key]);
}

/** What anyone may know about the instance before logging in (the login page reads it). */
export const InstanceInfoSchema = z
  .object({
    name: z.string(),
    registration: RegistrationModeSchema,
    /** No account exists yet: the first signup needs no code and becomes the admin. */
    needsSetup: z.boolean(),
    /** SMTP is on: "Forgot password?" can send a mail. */
    passwordReset: z.boolean(),
  })
  .meta({ id: 'InstanceInfo' });
export type InstanceInfo = z.infer<typeof InstanceInfoSchema>;

export const InstanceOverviewSchema = z
  .object({
    users: z.number().int(),
    servers: z.number().int(),
    messages: z.number().int(),
    storage: z.object({
      engine: z.enum(['embedded', 'postgres']),
      /** pg_database_size of the database (the embedded engine's too). */
      databaseBytes: z.number().int(),
    }),
    version: z.string(),
    startedAt: IsoTimeSchema,
    uptimeSeconds: z.number().int(),
  })
  .meta({ id: 'InstanceOverview' });
export type InstanceOverview = z.infer<typeof InstanceOverviewSchema>;

/** A user as the admin sees them. */
export const AdminUserSchema = z
  .object({
    id: IdSchema,
    username: z.string(),
    email: z.string().optional(),
    isAdmin: z.boolean(),
    disabled: z.boolean(),
    createdAt: IsoTimeSchema,
    /** The last time one of their sessions was used (REST or gateway), if ever. */
    lastSeenAt: IsoTimeSchema.optional(),
    /** Whose code they signed up with (a signup or server invite); absent for the first account. */
    invitedBy: UserRefSchema.optional(),
  })
  .meta({ id: 'AdminUser' });
export type AdminUser = z.infer<typeof AdminUserSchema>;

export const AdminUsersQuerySchema = z.strictObject({
  /** Names starting with q (case-insensitive), or emails containing it. */
  q: z.string().trim().max(64).regex(NO_CONTROL, 'must not contain control characters').optional(),
  /** Keyset paging: names sorting after this one (the last name of the previous page). */
  after: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

export const UpdateAdminUserBodySchema = z
  .strictObject({ disabled: z.boolean().optional(), isAdmin: z.boolean().optional() })
  .refine((b) => b.disabled !== undefined || b.isAdmin !== undefined, 'give disabled or isAdmin')
  .meta({ id: 'UpdateAdminUserBody' });

/** A password-reset link the admin had sent, or (no mail possible) hands over in person. */
export const AdminPasswordResetSchema = z
  .object({
    delivery: z.enum(['mail', 'link']),
    /** Only with `link`: the one-hour, single-use link to give the user. */
    url: z.string().optional(),
  })
  .meta({ id: 'AdminPasswordReset' });

/** An unused signup code, as the admin sees it. */
export const AdminInviteSchema = z
  .object({
    code: z.string(),
    createdBy: UserRefSchema.optional(),
    createdAt: IsoTimeSchema,
    expiresAt: IsoTimeSchema.optional(),
  })
  .meta({ id: 'AdminInvite' });
export type AdminInvite = z.infer<typeof AdminInviteSchema>;

export const InviteCodeParamsSchema = z.strictObject({
  code: z.string().min(1).max(64).regex(NO_CONTROL, 'must not contain control characters'),
});

/** A backup archive (docs/deployment.md "Backup and restore"): bytes, not JSON. */
export const BackupArchiveSchema = z
  .string()
  .meta({ id: 'BackupArchive', format: 'binary', description: 'A gzipped tar (application/gzip)' });
