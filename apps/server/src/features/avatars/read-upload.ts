import { MAX_AVATAR_UPLOAD_BYTES } from '@decentra/protocol';
import type { UploadBody } from '../../http/upload-body.js';
import { tooLarge } from './avatar-image.js';

/**
 * An avatar upload's bytes, whole (it is at most 8 MB and the decoder wants them in one piece).
 * A declared length over the cap is refused before anything is read.
 */
export async function readAvatarUpload(upload: UploadBody): Promise<Buffer> {
  if (upload.length > MAX_AVATAR_UPLOAD_BYTES) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of upload.stream) {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    size += bytes.length;
    if (size > MAX_AVATAR_UPLOAD_BYTES) throw tooLarge();
    chunks.push(bytes);
  }
  return Buffer.concat(chunks, size);
}
