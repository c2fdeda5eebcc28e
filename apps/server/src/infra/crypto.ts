import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/** A session token: 32 random bytes, base64url. Only its SHA-256 is ever stored. */
export function newSessionToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** Invite codes: 12 bytes of randomness, 16 url-safe characters, easy to paste. */
export function newInviteCode(): string {
  return randomBytes(12).toString('base64url');
}

const GCM_IV_BYTES = 12;
const GCM_TAG_BYTES = 16;
const SEALED_VERSION = 'v1';

/** AES-256-GCM for secrets at rest. Output: `v1.<iv>.<tag>.<ciphertext>`, base64url parts. */
export function seal(plaintext: string, key: Buffer): string {
  assertKey(key);
  const iv = randomBytes(GCM_IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [
    SEALED_VERSION,
    iv.toString('base64url'),
    tag.toString('base64url'),
    body.toString('base64url'),
  ].join('.');
}

export function unseal(sealed: string, key: Buffer): string {
  assertKey(key);
  const [version, iv, tag, body] = sealed.split('.');
  if (version !== SEALED_VERSION || iv === undefined || tag === undefined || body === undefined) {
    throw new Error('not a sealed value');
  }
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'), {
    authTagLength: GCM_TAG_BYTES,
  });
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
}

function assertKey(key: Buffer): void {
  if (key.length !== 32) throw new RangeError('encryption key must be 32 bytes');
}
