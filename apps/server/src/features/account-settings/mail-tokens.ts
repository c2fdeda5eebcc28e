import { hashToken, newSessionToken } from '../../infra/crypto.js';
import { forbidden } from '../../infra/errors.js';
import type { Db } from '../../storage/db.js';
import { insertToken, type TokenPurpose } from './account-settings.repo.js';

export const PASSWORD_RESET_TTL_MS = 60 * 60 * 1000;
export const EMAIL_CONFIRM_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * Makes a single-use token for a mailed link: 32 random bytes for the link, only their SHA-256
 * stored (like session tokens), so the table alone opens nothing.
 */
export async function issueToken(
  tx: Db,
  token: { userId: bigint; purpose: TokenPurpose; now: Date; ttlMs: number; email?: string },
): Promise<string> {
  const value = newSessionToken();
  await insertToken(tx, {
    tokenHash: hashToken(value),
    userId: token.userId,
    purpose: token.purpose,
    email: token.email ?? null,
    createdAt: token.now,
    expiresAt: new Date(token.now.getTime() + token.ttlMs),
  });
  return value;
}

/** The pages of the web app the links open, under DECENTRA_PUBLIC_URL (never a request's Host). */
export function mailLink(publicUrl: string, page: 'reset-password' | 'confirm-email', token: string): string {
  return `${publicUrl}/${page}?token=${encodeURIComponent(token)}`;
}

/** The one answer for a token that is unknown, expired or used: which of them is not said. */
export const unusableLink = () => forbidden('This link has expired or was already used.');
