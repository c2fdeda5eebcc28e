import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashToken, newInviteCode, newSessionToken, seal, unseal } from './crypto.js';

describe('session tokens', () => {
  it('are 32 random bytes, and only their SHA-256 is kept', () => {
    const token = newSessionToken();
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect(newSessionToken()).not.toBe(token);
    expect(hashToken(token).equals(createHash('sha256').update(token).digest())).toBe(true);
  });
});

describe('invite codes', () => {
  it('are url-safe and unique', () => {
    const codes = new Set(Array.from({ length: 1000 }, newInviteCode));
    expect(codes.size).toBe(1000);
    for (const c of codes) expect(c).toMatch(/^[A-Za-z0-9_-]{16}$/);
  });
});

describe('sealing secrets (AES-256-GCM)', () => {
  const key = randomBytes(32);

  it('round-trips and never shows the plaintext', () => {
    const sealed = seal('smtp-password-é', key);
    expect(sealed).not.toContain('smtp-password');
    expect(unseal(sealed, key)).toBe('smtp-password-é');
    expect(seal('same', key)).not.toBe(seal('same', key));
  });

  it('refuses a wrong key and any tampering', () => {
    const sealed = seal('secret', key);
    expect(() => unseal(sealed, randomBytes(32))).toThrow();
    const parts = sealed.split('.');
    const body = Buffer.from(parts[3] as string, 'base64url');
    body[0] = (body[0] as number) ^ 1;
    parts[3] = body.toString('base64url');
    expect(() => unseal(parts.join('.'), key)).toThrow();
    expect(() => unseal('garbage', key)).toThrow();
  });

  it('wants a 32-byte key', () => {
    expect(() => seal('x', randomBytes(16))).toThrow(RangeError);
  });
});
