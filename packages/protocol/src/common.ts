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

/**
 * Characters that show nothing or change how the text around them is shown: format characters
 * (Cf: zero-width spaces and joiners, bidi overrides and isolates, soft hyphen, BOM) and the other
 * default-ignorable code points (variation selectors, Hangul fillers, the combining grapheme
 * joiner). A name made of them looks empty, and a bidi override makes `nimda` read as `admin`.
 */
export const INVISIBLE_CHARACTERS = /[\p{Cf}\p{Default_Ignorable_Code_Point}]/u;
const INVISIBLE_ALL = new RegExp(INVISIBLE_CHARACTERS.source, 'gu');

/**
 * Signup names. The invisible-character rule is stated on its own (and first, so that its words
 * are the ones shown) although the pattern alone would refuse such names too: a client checking a
 * name as it is typed can say what is wrong, and the rule stays should the pattern ever widen.
 */
export const UsernameSchema = z
  .string()
  .refine(
    (v) => !INVISIBLE_CHARACTERS.test(v),
    'must not contain invisible or formatting characters (zero-width spaces, direction overrides)',
  )
  .min(2, 'must be at least 2 characters')
  .max(32, 'must be at most 32 characters')
  .regex(USERNAME_PATTERN, 'may contain only letters, digits, "_", "." and "-"');

/**
 * The one form a username is compared in: what makes two names the same account. NFKC (fullwidth
 * `ａｌｉｃｅ` and the Kelvin sign become ASCII), then Unicode's default, locale-independent
 * lower-casing, with invisible characters dropped, and NFKC again so that the result is stable.
 * It is not the Turkish mapping: `İ` (U+0130) lower-cases to `i` + U+0307, so `alİce` is not
 * `alice`. Signup names are ASCII, so their key is their ASCII lower case; the server stores that
 * key and looks logins up (and throttles them) by the key of what was typed.
 */
export function usernameKey(name: string): string {
  return name.normalize('NFKC').toLowerCase().replace(INVISIBLE_ALL, '').normalize('NFKC');
}

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
