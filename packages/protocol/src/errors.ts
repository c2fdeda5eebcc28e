import * as z from 'zod';

/** Every error code the API can answer, with the HTTP status it travels with. */
export const ERROR_STATUS = {
  invalid_input: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export const ErrorCodeSchema = z.enum(Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]]);

/**
 * Why a request was refused, per error code, where a client can do something about it (show the
 * right words, offer the right fix). Server and clients share these lists; `details.reason` holds one.
 */
export const REFUSAL_REASONS = {
  invalid_input: ['self', 'own_account'],
  forbidden: [
    'invite_required',
    'unknown_code',
    'used',
    'expired',
    'not_server_invite',
    'invite_limit',
    'outgoing_limit',
    'csrf',
    'account_disabled',
    'registration_closed',
    'wrong_password',
    'pin_limit',
    'reaction_limit',
  ],
  conflict: ['already_friends', 'already_requested', 'busy', 'channel_full', 'last_admin', 'owned_servers'],
} as const satisfies Partial<Record<ErrorCode, readonly string[]>>;

export type ReasonedCode = keyof typeof REFUSAL_REASONS;
export type RefusalReason<C extends ReasonedCode = ReasonedCode> = (typeof REFUSAL_REASONS)[C][number];

/** One failed check of a request body, query or path (`path` is dotted: `permissions.editChannel`). */
export const ValidationIssueSchema = z.object({ path: z.string(), message: z.string() });
export type ValidationIssue = z.infer<typeof ValidationIssueSchema>;

/** `details` of an error body, per code. Codes not listed carry none. */
export const ERROR_DETAILS = {
  invalid_input: z.object({
    reason: z.enum(REFUSAL_REASONS.invalid_input).optional(),
    issues: z.array(ValidationIssueSchema).optional(),
  }),
  forbidden: z.object({
    reason: z.enum(REFUSAL_REASONS.forbidden).optional(),
    /** With `invite_limit`, `outgoing_limit`, `pin_limit` and `reaction_limit`: the limit that was reached. */
    limit: z.number().int().optional(),
  }),
  rate_limited: z.object({
    /** Seconds until the same request may succeed (also the Retry-After header over REST). */
    retryAfter: z.number().positive().optional(),
  }),
  conflict: z.object({
    reason: z.enum(REFUSAL_REASONS.conflict).optional(),
    /** The field whose value is taken (signup: `username`). */
    field: z.string().optional(),
  }),
} as const satisfies Partial<Record<ErrorCode, z.ZodType>>;

type DetailedCode = keyof typeof ERROR_DETAILS;
/** What `details` may hold for an error of code `C` (nothing for most codes). */
export type ErrorDetails<C extends ErrorCode> = C extends DetailedCode
  ? z.infer<(typeof ERROR_DETAILS)[C]>
  : undefined;

/** The refusal reason in an error's details, if it is one the contract knows for its code. */
export function refusalReason(code: string, details: unknown): RefusalReason | undefined {
  if (!isReasonedCode(code)) return undefined;
  const parsed = ERROR_DETAILS[code].safeParse(details);
  return parsed.success ? parsed.data.reason : undefined;
}

function isReasonedCode(code: string): code is ReasonedCode {
  return Object.hasOwn(REFUSAL_REASONS, code);
}

export const ErrorSchema = z.object({
  code: ErrorCodeSchema,
  message: z.string(),
  details: z.unknown().optional(),
});

export const ErrorBodySchema = z.object({ error: ErrorSchema }).meta({ id: 'Error' });

export type ErrorBody = z.infer<typeof ErrorBodySchema>;
