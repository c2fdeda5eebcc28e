import { MAX_MESSAGE_LENGTH } from '@decentra/protocol';
import { useState } from 'react';
import { errorText } from '../../ui/error-text';

/** Inline edit: Enter saves, Escape cancels, Shift+Enter is a new line. */
export function MessageEditor({
  initial,
  onSave,
  onCancel,
}: {
  initial: string;
  onSave: (content: string) => Promise<void>;
  onCancel: () => void;
}) {
  const [value, setValue] = useState(initial);
  const [error, setError] = useState<string | null>(null);
  const save = async () => {
    const content = value.trim();
    if (!content || content.length > MAX_MESSAGE_LENGTH) return;
    if (content === initial) return onCancel();
    try {
      await onSave(content);
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <div className="message-editor">
      <textarea
        aria-label="Edit message"
        // biome-ignore lint/a11y/noAutofocus: the user just asked to edit this message.
        autoFocus
        value={value}
        rows={Math.min(8, value.split('\n').length)}
        onChange={(e) => setValue(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') onCancel();
          if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
            e.preventDefault();
            void save();
          }
        }}
      />
      <div className="editor-actions">
        <span className="muted small-text">Enter to save · Escape to cancel</span>
        <button type="button" className="button small secondary" onClick={onCancel}>
          Cancel
        </button>
        <button type="button" className="button small" onClick={() => void save()}>
          Save
        </button>
      </div>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
