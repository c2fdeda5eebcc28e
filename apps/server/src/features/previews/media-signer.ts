import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

export const MEDIA_PROXY_PATH = '/api/media/proxy';

/**
 * Signs the URLs the media proxy may fetch, so that it fetches only what this server put in an
 * embed (not whatever anyone asks it to). HMAC-SHA256 over the URL, keyed from the instance's
 * encryption key by HKDF: every instance of a cluster shares that key, so all agree, and the
 * signing key is of no use for anything else. No expiry: a message's embed stays valid.
 */
export class MediaSigner {
  private readonly key: Buffer;

  constructor(encryptionKey: Buffer) {
    this.key = Buffer.from(hkdfSync('sha256', encryptionKey, Buffer.alloc(0), 'decentra media proxy v1', 32));
  }

  sign(url: string): string {
    return createHmac('sha256', this.key).update(url).digest('base64url');
  }

  verify(url: string, sig: string): boolean {
    const expected = Buffer.from(this.sign(url));
    const given = Buffer.from(sig);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  /** The path on our origin that serves `url` (what embeds carry). */
  path(url: string): string {
    return `${MEDIA_PROXY_PATH}?${new URLSearchParams({ url, sig: this.sign(url) })}`;
  }
}
