import * as z from 'zod';

/** The largest id: ids are signed 64-bit integers in the database. */
export const MAX_ID = '9223372036854775807';

/** True for a decimal string of a positive signed 64-bit integer (1 … 2^63 − 1). */
export function isId(value: string): boolean {
  if (!/^[1-9][0-9]{0,18}$/.test(value)) return false;
  // Same length: decimal strings compare like the numbers they spell.
  return value.length < MAX_ID.length || value <= MAX_ID;
}

/** A snowflake id on the wire: a decimal string of a positive 64-bit integer. */
export const IdSchema = z
  .string()
  .regex(/^[1-9][0-9]{0,18}$/, 'must be an id (a decimal string)')
  .refine(isId, 'must be an id (at most 9223372036854775807)');
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
