/** The box an attachment's image is shown in within the message list. */
export const PREVIEW_BOX = { width: 400, height: 300 } as const;

interface Size {
  width: number;
  height: number;
}

/**
 * The size an image of `width`×`height` is drawn at: scaled down to fit the box with its aspect
 * kept, never scaled up, whole pixels, at least 1×1. Known before the image loads (the server
 * sends the size), so the row has its final height from the start and the list does not jump.
 */
export function fitInside(width: number, height: number, box: Size = PREVIEW_BOX): Size {
  if (!(width > 0) || !(height > 0)) return { width: 0, height: 0 };
  const scale = Math.min(1, box.width / width, box.height / height);
  return {
    width: Math.max(1, Math.round(width * scale)),
    height: Math.max(1, Math.round(height * scale)),
  };
}
