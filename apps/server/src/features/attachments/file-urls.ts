import { HmacSigner } from '../../infra/hmac-signer.js';

/** How long a URL in a message DTO opens its file without a session. */
export const URL_LIFETIME_MS = 24 * 60 * 60 * 1000;
/** Expiries are rounded up to this, so one file's URL stays the same for a while (browser caches). */
const ROUND_MS = 60 * 60 * 1000;

export type FileVariant = 'file' | 'preview';

/**
 * Signed, expiring file URLs. The key is derived (HKDF) from the instance's encryption key, so
 * every instance sharing DECENTRA_ENCRYPTION_KEY accepts the others' URLs, and the derived key is
 * good for nothing else. The signature covers the attachment, the variant and the expiry.
 */
export class FileUrls {
  private readonly signer: HmacSigner;

  constructor(
    encryptionKey: Buffer,
    private readonly now: () => number,
  ) {
    this.signer = new HmacSigner(encryptionKey, 'decentra file urls v1');
  }

  file(id: bigint, filename: string): string {
    return `/api/files/${id}/${encodeURIComponent(filename)}?${this.query(id, 'file')}`;
  }

  preview(id: bigint): string {
    return `/api/previews/${id}?${this.query(id, 'preview')}`;
  }

  /** Whether `sig` signs this attachment's variant until `expires` (seconds), and that is still ahead. */
  verify(id: bigint, variant: FileVariant, expires: number | undefined, sig: string | undefined): boolean {
    if (expires === undefined || sig === undefined || expires * 1000 <= this.now()) return false;
    return this.signer.verify(`${id}:${variant}:${expires}`, sig);
  }

  private query(id: bigint, variant: FileVariant): string {
    const expires = Math.ceil((this.now() + URL_LIFETIME_MS) / ROUND_MS) * (ROUND_MS / 1000);
    return `expires=${expires}&sig=${this.signer.sign(`${id}:${variant}:${expires}`)}`;
  }
}
