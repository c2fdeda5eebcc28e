import { imageSize } from 'image-size';

/** Raster formats we serve, by image-size's name of them (never SVG: it can hold script). */
const IMAGE_TYPES: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  avif: 'image/avif',
  bmp: 'image/bmp',
};

export interface SniffedMedia {
  kind: 'image' | 'video';
  /** The type we answer with: from the bytes, never from the remote's header. */
  type: string;
  width?: number;
  height?: number;
}

/**
 * What the bytes are, whatever the remote said: a raster image (with its size) or an MP4/WebM/Ogg
 * video; undefined for anything else (SVG, HTML, scripts dressed as pictures).
 */
export function sniffMedia(bytes: Buffer): SniffedMedia | undefined {
  const video = videoType(bytes);
  if (video) return { kind: 'video', type: video };
  try {
    const found = imageSize(bytes);
    const type = found.type === undefined ? undefined : IMAGE_TYPES[found.type];
    if (!type) return undefined;
    return {
      kind: 'image',
      type,
      ...(found.width > 0 && found.height > 0 ? { width: found.width, height: found.height } : {}),
    };
  } catch {
    return undefined;
  }
}

function videoType(b: Buffer): string | undefined {
  // ISO base media (MP4, M4V, MOV): a box whose type is `ftyp` at byte 4.
  if (b.length >= 12 && b.toString('latin1', 4, 8) === 'ftyp') {
    return b.toString('latin1', 8, 10) === 'qt' ? 'video/quicktime' : 'video/mp4';
  }
  // Matroska/WebM: the EBML magic.
  if (b.length >= 4 && b.readUInt32BE(0) === 0x1a45dfa3) return 'video/webm';
  if (b.length >= 4 && b.toString('latin1', 0, 4) === 'OggS') return 'video/ogg';
  return undefined;
}
