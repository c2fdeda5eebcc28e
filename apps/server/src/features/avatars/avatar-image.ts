import { createHash } from 'node:crypto';
import { AVATAR_SIZE, MAX_AVATAR_UPLOAD_BYTES } from '@decentra/protocol';
import { fileTypeFromBuffer } from 'file-type';
import sharp from 'sharp';
import { DomainError, invalidInput } from '../../infra/errors.js';

/** A picture as it is stored: 256×256 webp bytes and their sha256 (hex), its name. */
export interface AvatarImage {
  hash: string;
  data: Buffer;
}

/**
 * Raster formats taken, known by their bytes (never by a name or a header the client chose).
 * SVG is not among them: it is a document that can hold script and fetch other files.
 */
const ACCEPTED = new Set(['image/png', 'image/jpeg', 'image/webp', 'image/gif', 'image/avif']);

export const tooLarge = () =>
  new DomainError('payload_too_large', `A picture may be at most ${MAX_AVATAR_UPLOAD_BYTES / 2 ** 20} MB.`);

/** Decompression bombs: a small file that unpacks to a huge canvas is refused before it is. */
const MAX_INPUT_PIXELS = 40_000_000;

const notAnImage = () => invalidInput('The file must be a picture: PNG, JPEG, WebP, GIF or AVIF.');

/**
 * The avatar of an upload: the first frame, turned as its EXIF says, centre-cropped to a square,
 * 256×256 webp, with no metadata (sharp writes none unless asked). Anything that is not one of
 * the accepted formats, or that the decoder cannot read, is `invalid_input`.
 */
export async function toAvatarImage(bytes: Buffer): Promise<AvatarImage> {
  if (bytes.length === 0) throw invalidInput('The file is empty.');
  if (bytes.length > MAX_AVATAR_UPLOAD_BYTES) throw tooLarge();
  const type = await fileTypeFromBuffer(bytes);
  if (!type || !ACCEPTED.has(type.mime)) throw notAnImage();
  let data: Buffer;
  try {
    data = await sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS, pages: 1, failOn: 'error' })
      .rotate()
      .resize(AVATAR_SIZE, AVATAR_SIZE, { fit: 'cover', position: 'centre' })
      .webp({ quality: 82 })
      .toBuffer();
  } catch {
    throw notAnImage();
  }
  return { hash: createHash('sha256').update(data).digest('hex'), data };
}
