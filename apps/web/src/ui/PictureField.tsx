import { type ReactNode, useId, useState } from 'react';
import { errorText } from './error-text';
import { ImageCropDialog } from './ImageCropDialog';

/**
 * A picture setting (an avatar, a server icon): what shows now, "Change" (a file, cropped to a
 * square in a dialog, then uploaded) and "Remove".
 */
export function PictureField({
  label,
  preview,
  hasPicture,
  upload,
  remove,
}: {
  label: string;
  preview: ReactNode;
  hasPicture: boolean;
  upload: (picture: Blob) => Promise<void>;
  remove: () => Promise<void>;
}) {
  const inputId = useId();
  const [file, setFile] = useState<File | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  const onRemove = async () => {
    setError(null);
    setDone(null);
    try {
      await remove();
      setDone('Removed.');
    } catch (err) {
      setError(errorText(err));
    }
  };

  return (
    <div className="picture-field">
      <div className="picture-preview">{preview}</div>
      <div className="picture-actions">
        {/* The label is the button: the file input itself stays reachable but out of sight. */}
        <label className="button secondary" htmlFor={inputId}>
          Change {label}
        </label>
        <input
          id={inputId}
          className="visually-hidden"
          type="file"
          accept="image/png,image/jpeg,image/webp,image/gif,image/avif"
          onChange={(e) => {
            setError(null);
            setDone(null);
            setFile(e.target.files?.[0] ?? null);
            e.target.value = '';
          }}
        />
        {hasPicture && (
          <button type="button" className="button secondary" onClick={onRemove}>
            Remove {label}
          </button>
        )}
      </div>
      {done && (
        <p className="form-notice" role="status">
          {done}
        </p>
      )}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {file && (
        <ImageCropDialog
          file={file}
          title={`Crop your ${label}`}
          onClose={() => setFile(null)}
          onSave={async (picture) => {
            await upload(picture);
            setFile(null);
            setDone('Saved.');
          }}
        />
      )}
    </div>
  );
}
