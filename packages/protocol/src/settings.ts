import * as z from 'zod';
import { InstanceSettingsSchema, WelcomeMailSettingsSchema } from './admin.js';
import { EmailSchema, NO_CONTROL } from './common.js';
import { NotificationModeSchema } from './notifications.js';

export const SOUNDS = ['default', 'chime', 'bell', 'pop', 'none'] as const;

export const NotificationSettingsSchema = z
  .strictObject({
    enabled: z.boolean(),
    sounds: z.boolean(),
    mode: NotificationModeSchema,
    messageSound: z.enum(SOUNDS),
    callSound: z.enum(SOUNDS),
    /** Sound volume, 0–100 (settings saved before it existed read as 80). */
    volume: z.number().int().min(0).max(100).default(80),
  })
  .meta({ id: 'NotificationSettings' });

export const UserSettingsSchema = z
  .strictObject({ notifications: NotificationSettingsSchema })
  .meta({ id: 'UserSettings' });
export type UserSettings = z.infer<typeof UserSettingsSchema>;
export type NotificationSettings = z.infer<typeof NotificationSettingsSchema>;

export const DEFAULT_USER_SETTINGS: UserSettings = {
  notifications: {
    enabled: true,
    sounds: true,
    mode: 'all',
    messageSound: 'default',
    callSound: 'default',
    volume: 80,
  },
};

const Host = z.string().trim().max(253).regex(NO_CONTROL, 'must not contain control characters');

/** What an admin sends. `password`: omitted keeps the stored one, null clears it, a string replaces it. */
export const SmtpSettingsInputSchema = z.strictObject({
  enabled: z.boolean(),
  host: Host,
  port: z.number().int().min(1).max(65535),
  security: z.enum(['starttls', 'tls', 'none']),
  username: z.string().max(256).regex(NO_CONTROL, 'must not contain control characters'),
  password: z.string().max(1024).nullable().optional(),
  fromAddress: z.union([EmailSchema, z.literal('')]),
  fromName: z.string().max(100).regex(NO_CONTROL, 'must not contain control characters'),
});

/** Each section given replaces the stored one; a section left out stays as it is. */
export type SmtpSettingsInput = z.infer<typeof SmtpSettingsInputSchema>;

export const AdminSettingsInputSchema = z
  .strictObject({
    smtp: SmtpSettingsInputSchema.optional(),
    instance: InstanceSettingsSchema.optional(),
    welcome: WelcomeMailSettingsSchema.optional(),
  })
  .meta({ id: 'AdminSettingsBody' });
export type AdminSettingsInput = z.infer<typeof AdminSettingsInputSchema>;

/** What the server answers: never the password, only whether one is stored. */
export const SmtpSettingsSchema = SmtpSettingsInputSchema.omit({ password: true }).extend({
  passwordSet: z.boolean(),
});
export const AdminSettingsSchema = z
  .object({
    smtp: SmtpSettingsSchema,
    instance: InstanceSettingsSchema,
    welcome: WelcomeMailSettingsSchema,
  })
  .meta({ id: 'AdminSettings' });
export type AdminSettings = z.infer<typeof AdminSettingsSchema>;

export const DEFAULT_SMTP: AdminSettings['smtp'] = {
  enabled: false,
  host: '',
  port: 587,
  security: 'starttls',
  username: '',
  fromAddress: '',
  fromName: 'Decentra',
  passwordSet: false,
};

/** A test mail, to an address (default: the admin's), with the saved SMTP settings or with unsaved ones. */
export const SmtpTestBodySchema = z
  .strictObject({
    to: EmailSchema.optional(),
    /** Settings from the form, not yet saved (an omitted password means the stored one). */
    smtp: SmtpSettingsInputSchema.optional(),
  })
  .meta({ id: 'SmtpTestBody' });
export const SmtpTestResultSchema = z
  .object({ ok: z.boolean(), error: z.string().optional() })
  .meta({ id: 'SmtpTestResult' });
