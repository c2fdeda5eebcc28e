import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

/**
 * HMAC-SHA256 signatures for URLs this server hands out (file links, the media proxy). The key is
 * derived (HKDF) from the instance's encryption key with a purpose label: every instance sharing
 * DECENTRA_ENCRYPTION_KEY accepts the others' signatures, and a key derived for one purpose signs
 * nothing for another.
 */
export class HmacSigner {
  private readonly key: Buffer;

  constructor(encryptionKey: Buffer, purpose: string) {
    this.key = Buffer.from(hkdfSync('sha256', encryptionKey, Buffer.alloc(0), purpose, 32));
  }

  sign(text: string): string {
    return createHmac('sha256', this.key).update(text).digest('base64url');
  }

  /** Compared in constant time. */
  verify(text: string, sig: string): boolean {
    const expected = Buffer.from(this.sign(text));
    const given = Buffer.from(sig);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}
