import { ApiError } from '@decentra/client';
import { ERROR_DETAILS } from '@decentra/protocol';
import { errorText } from '../../ui/error-text';

export const INCOMPLETE_LINK = 'This link is not complete. Copy the whole link from the mail.';

/** Why a mailed link (password reset, email confirmation) did not work, in words. */
export function linkErrorText(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.code === 'forbidden' || err.code === 'not_found')
      return 'This link has expired or has already been used. Ask for a new one.';
    const issues = ERROR_DETAILS.invalid_input.safeParse(err.details).data?.issues;
    if (err.code === 'invalid_input' && issues?.some((i) => i.path === 'token')) return INCOMPLETE_LINK;
  }
  return errorText(err);
}
