import { type PointerEvent, useEffect, useRef, useState } from 'react';
import { Dialog } from './Dialog';
import { errorText } from './error-text';

/** The side of the preview canvas, in CSS pixels. */
const VIEW = 256;
/** What is uploaded: a square PNG this big (the server makes its own 256×256 webp of it). */
const OUT = 512;
const MAX_ZOOM = 4;

interface Crop {
  /** The centre of the square, in the picture's pixels. */
  x: number;
  y: number;
  zoom: number;
}

/** The square of the picture a crop shows: its side is the short side, divided by the zoom. */
function square(bitmap: ImageBitmap, crop: Crop) {
  const side = Math.min(bitmap.width, bitmap.height) / crop.zoom;
  const half = side / 2;
  const x = Math.min(Math.max(crop.x, half), bitmap.width - half);
  const y = Math.min(Math.max(crop.y, half), bitmap.height - half);
  return { sx: x - half, sy: y - half, side, x, y };
}

function draw(canvas: HTMLCanvasElement, bitmap: ImageBitmap, crop: Crop) {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const { sx, sy, side } = square(bitmap, crop);
  ctx.imageSmoothingQuality = 'high';
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(bitmap, sx, sy, side, side, 0, 0, canvas.width, canvas.height);
}

/**
 * Crops a picture to a square before it is uploaded: drag to move it, the slider to zoom. The
 * picture is decoded with createImageBitmap (no blob: URL, which the CSP would refuse) and drawn
 * on a canvas; Save hands over that square as a PNG.
 */
export function ImageCropDialog({
  file,
  title,
  onClose,
  onSave,
}: {
  file: File;
  title: string;
  onClose: () => void;
  onSave: (picture: Blob) => Promise<void>;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [bitmap, setBitmap] = useState<ImageBitmap | null>(null);
  const [crop, setCrop] = useState<Crop>({ x: 0, y: 0, zoom: 1 });
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const drag = useRef<{ px: number; py: number; x: number; y: number } | null>(null);

  useEffect(() => {
    let live = true;
    createImageBitmap(file).then(
      (b) => {
        if (!live) return b.close();
        setBitmap(b);
        setCrop({ x: b.width / 2, y: b.height / 2, zoom: 1 });
      },
      () => live && setError('This file is not a picture this browser can open.'),
    );
    return () => {
      live = false;
    };
  }, [file]);
  useEffect(() => () => bitmap?.close(), [bitmap]);

  useEffect(() => {
    if (canvas.current && bitmap) draw(canvas.current, bitmap, crop);
  }, [bitmap, crop]);

  const onPointerDown = (e: PointerEvent<HTMLCanvasElement>) => {
    if (!bitmap) return;
    e.currentTarget.setPointerCapture(e.pointerId);
    const at = square(bitmap, crop);
    drag.current = { px: e.clientX, py: e.clientY, x: at.x, y: at.y };
  };
  const onPointerMove = (e: PointerEvent<HTMLCanvasElement>) => {
    const start = drag.current;
    if (!start || !bitmap) return;
    const scale = square(bitmap, crop).side / VIEW;
    const moved = {
      x: start.x - (e.clientX - start.px) * scale,
      y: start.y - (e.clientY - start.py) * scale,
    };
    const { x, y } = square(bitmap, { ...crop, ...moved });
    setCrop((c) => ({ ...c, x, y }));
  };
  const onPointerUp = () => {
    drag.current = null;
  };

  const save = async () => {
    if (!bitmap) return;
    setBusy(true);
    setError(null);
    try {
      const out = document.createElement('canvas');
      out.width = OUT;
      out.height = OUT;
      draw(out, bitmap, crop);
      const picture = await new Promise<Blob | null>((resolve) => out.toBlob(resolve, 'image/png'));
      if (!picture) throw new Error('The picture could not be made.');
      await onSave(picture);
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  };

  return (
    <Dialog title={title} onClose={onClose} className="crop-dialog">
      <div className="crop-stage">
        <canvas
          ref={canvas}
          width={VIEW}
          height={VIEW}
          className="crop-canvas"
          aria-label="Cropped picture: drag to move it"
          onPointerDown={onPointerDown}
          onPointerMove={onPointerMove}
          onPointerUp={onPointerUp}
          onPointerCancel={onPointerUp}
        />
        <div className="crop-ring" aria-hidden="true" />
      </div>
      <label className="field crop-zoom">
        <span>Zoom</span>
        <input
          type="range"
          min={1}
          max={MAX_ZOOM}
          step={0.01}
          value={crop.zoom}
          disabled={!bitmap}
          onChange={(e) => {
            const zoom = Number(e.target.value);
            setCrop((c) => {
              if (!bitmap) return c;
              const { x, y } = square(bitmap, { ...c, zoom });
              return { x, y, zoom };
            });
          }}
        />
      </label>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <div className="form-actions">
        <button type="button" className="button secondary" onClick={onClose}>
          Cancel
        </button>
        <button type="button" className="button" onClick={save} disabled={!bitmap || busy}>
          {busy ? 'Saving…' : 'Save'}
        </button>
      </div>
    </Dialog>
  );
}
