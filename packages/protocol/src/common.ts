import * as z from 'zod';

/** A snowflake id on the wire: a decimal string of a positive 64-bit integer. */
export const IdSchema = z.string().regex(/^[1-9][0-9]{0,18}$/, 'must be an id (a decimal string)');
export type Id = z.infer<typeof IdSchema>;

export const IsoTimeSchema = z.iso.datetime();

export const USERNAME_PATTERN = /^[A-Za-z0-9_.-]+$/;
export const UsernameSchema = z
  .string()
  .min(2, 'must be at least 2 characters')
  .max(32, 'must be at most 32 characters')
  .regex(USERNAME_PATTERN, 'may contain only letters, digits, "_", "." and "-"');

export const PasswordSchema = z
  .string()
  .min(8, 'must be at least 8 characters')
  .max(256, 'must be at most 256 characters');

export const EmailSchema = z.email('must be an email address').max(254);

/** PostgreSQL text cannot hold NUL; refusing it here keeps such input a 400, not a 500. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching NUL is the point.
export const NO_NUL = /^[^\u0000]*$/;
/** Single-line names and codes: no control characters at all. */
export const NO_CONTROL = /^\P{Cc}*$/u;

/** Invite codes are opaque strings; bound their length so lookups stay cheap. */
export const InviteCodeSchema = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(NO_CONTROL, 'must not contain control characters');
