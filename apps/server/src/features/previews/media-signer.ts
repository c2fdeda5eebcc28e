import { HmacSigner } from '../../infra/hmac-signer.js';

export const MEDIA_PROXY_PATH = '/api/media/proxy';

/**
 * Signs the URLs the media proxy may fetch, so that it fetches only what this server put in an
 * embed (not whatever anyone asks it to). HMAC-SHA256 over the URL, keyed from the instance's
 * encryption key by HKDF: every instance of a cluster shares that key, so all agree, and the
 * signing key is of no use for anything else. No expiry: a message's embed stays valid.
 */
export class MediaSigner {
  private readonly signer: HmacSigner;

  constructor(encryptionKey: Buffer) {
    this.signer = new HmacSigner(encryptionKey, 'decentra media proxy v1');
  }

  sign(url: string): string {
    return this.signer.sign(url);
  }

  verify(url: string, sig: string): boolean {
    return this.signer.verify(url, sig);
  }

  /** The path on our origin that serves `url` (what embeds carry). */
  path(url: string): string {
    return `${MEDIA_PROXY_PATH}?${new URLSearchParams({ url, sig: this.sign(url) })}`;
  }
}
