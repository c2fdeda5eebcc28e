import type { AttachmentKind } from '@decentra/protocol';
import { fileTypeFromFile } from 'file-type';
import sharp, { type Sharp } from 'sharp';

/** Images re-encoded (in their own format) and shown inline: the browsers' everyday decoders. */
const IMAGE_FORMATS: Record<string, (image: Sharp) => Sharp> = {
  'image/jpeg': (i) => i.jpeg({ quality: 90 }),
  'image/png': (i) => i.png(),
  'image/webp': (i) => i.webp({ quality: 90 }),
  'image/gif': (i) => i.gif(),
  'image/avif': (i) => i.avif(),
};

/** Played inline by browsers' `<video>`/`<audio>`; anything else of the kind is a download. */
const VIDEO_TYPES = new Set(['video/mp4', 'video/webm', 'video/ogg', 'video/quicktime']);
const AUDIO_TYPES = new Set([
  'audio/mpeg',
  'audio/wav',
  'audio/ogg',
  'audio/opus',
  'audio/flac',
  'audio/aac',
  'audio/mp4',
  'audio/x-m4a',
  'audio/webm',
]);

/** What the server tells clients a file is, from its bytes alone. */
export interface Detected {
  contentType: string;
  kind: AttachmentKind;
}

/**
 * The type of a file from its first bytes (magic numbers), never from its name or the uploader's
 * header. Unknown (text, SVG, HTML, scripts) is `application/octet-stream`, a download.
 */
export async function detect(path: string): Promise<Detected> {
  const found = await fileTypeFromFile(path).catch(() => undefined);
  const mime = found?.mime ?? 'application/octet-stream';
  if (mime in IMAGE_FORMATS) return { contentType: mime, kind: 'image' };
  if (VIDEO_TYPES.has(mime)) return { contentType: mime, kind: 'video' };
  if (AUDIO_TYPES.has(mime)) return { contentType: mime, kind: 'audio' };
  // Other types keep their name (a PDF is a PDF) but are never shown inline.
  return { contentType: found ? mime : 'application/octet-stream', kind: 'file' };
}

export interface ProcessedImage {
  width: number;
  height: number;
  animated: boolean;
}

/** Images at most this many pixels are decoded (a "decompression bomb" is refused as a plain file). */
const MAX_PIXELS = 100_000_000;
export const PREVIEW_BOX = 800;

/**
 * Re-encodes an image into `out`: turned upright by its EXIF orientation, then written without
 * any metadata (EXIF, GPS, XMP, ICC comments) in its own format; animations stay animated. Writes
 * a preview (fits PREVIEW_BOX², WebP, first frame) into `previewOut`. Undefined when the bytes do
 * not decode as the image they claim to be (the upload is then kept as a plain file).
 */
export async function processImage(
  path: string,
  contentType: string,
  out: string,
  previewOut: string,
): Promise<ProcessedImage | undefined> {
  const encode = IMAGE_FORMATS[contentType];
  if (!encode) return undefined;
  try {
    const input = { limitInputPixels: MAX_PIXELS, animated: true } as const;
    const meta = await sharp(path, input).metadata();
    const animated = (meta.pages ?? 1) > 1;
    // Orientations 5–8 turn the picture a quarter: width and height swap when it is made upright.
    const turned = !animated && (meta.orientation ?? 1) >= 5;
    const width = turned ? meta.height : meta.width;
    const height = turned ? meta.width : (meta.pageHeight ?? meta.height);
    if (!width || !height) return undefined;
    // Orientation matters only for still photos (GIF and animated WebP carry no EXIF orientation).
    const image = animated ? sharp(path, input) : sharp(path, input).autoOrient();
    // The preview is made from the original (a JPEG decodes shrunk: far cheaper than from the copy).
    await Promise.all([
      encode(image).toFile(out),
      sharp(path, { limitInputPixels: MAX_PIXELS })
        .autoOrient()
        .resize(PREVIEW_BOX, PREVIEW_BOX, { fit: 'inside', withoutEnlargement: true })
        .webp({ quality: 80 })
        .toFile(previewOut),
    ]);
    return { width, height, animated };
  } catch {
    return undefined;
  }
}
