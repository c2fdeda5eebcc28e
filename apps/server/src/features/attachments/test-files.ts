import sharp from 'sharp';

/** A JPEG photo with camera metadata (EXIF with GPS) and an orientation that turns it upright. */
export async function photoWithGps(width = 64, height = 48): Promise<Uint8Array> {
  const bytes = await sharp({ create: { width, height, channels: 3, background: { r: 200, g: 30, b: 30 } } })
    .jpeg()
    .withExif({
      IFD0: { Make: 'SpyCam', Model: 'Leaky 9000', Copyright: 'secret-owner' },
      IFD3: {
        GPSLatitudeRef: 'N',
        GPSLatitude: '51/1 30/1 0/1',
        GPSLongitudeRef: 'W',
        GPSLongitude: '0/1 7/1 0/1',
      },
    })
    .withMetadata({ orientation: 6 })
    .toBuffer();
  return new Uint8Array(bytes);
}

export async function png(width = 20, height = 10): Promise<Uint8Array> {
  return new Uint8Array(
    await sharp({ create: { width, height, channels: 4, background: '#00ff00' } })
      .png()
      .toBuffer(),
  );
}

/** An animated GIF of two frames. */
export async function animatedGif(): Promise<Uint8Array> {
  const frame = (color: string) =>
    sharp({ create: { width: 16, height: 16, channels: 3, background: color } })
      .png()
      .toBuffer();
  const frames = [await frame('#ff0000'), await frame('#0000ff')];
  return new Uint8Array(
    await sharp(frames, { join: { animated: true } })
      .gif({ delay: [100, 100], loop: 0 })
      .toBuffer(),
  );
}

/** The smallest bytes file-type reads as MP4 (an `ftyp` box), with a tail to fetch ranges of. */
export function mp4(size = 10_000): Uint8Array {
  const bytes = new Uint8Array(size);
  bytes.set([0, 0, 0, 0x18, ...Buffer.from('ftypisom'), 0, 0, 2, 0, ...Buffer.from('isomiso2')]);
  for (let i = 24; i < size; i++) bytes[i] = i % 251;
  return bytes;
}

export const text = (s: string) => new TextEncoder().encode(s);
