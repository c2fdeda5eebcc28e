import { MAX_ATTACHMENTS_PER_MESSAGE } from '@decentra/protocol';
import { useRef } from 'react';
import { formatBytes } from '../../ui/format';
import { Icon } from '../../ui/Icon';
import { percent } from './tray';
import { addFiles, dismissNotices, removeFile, trayOf, useTrays } from './tray-store';

/** The files waiting above the composer: name, size, a thumbnail for images, progress, remove. */
export function AttachmentTray({ channelId }: { channelId: string }) {
  const { files, notices, queued } = useTrays((s) => trayOf(s, channelId));
  if (files.length === 0 && notices.length === 0) return null;
  return (
    <div className="attachment-tray">
      {notices.length > 0 && (
        <div className="attachment-notices" role="alert">
          {notices.map((n) => (
            <p key={n}>{n}</p>
          ))}
          <button type="button" className="link-button" onClick={() => dismissNotices(channelId)}>
            Dismiss
          </button>
        </div>
      )}
      {files.length > 0 && (
        <ul className="attachment-tray-files" aria-label="Files to send">
          {files.map((f) => (
            <li key={f.key} className={`pending-file ${f.status}`} aria-label={f.name}>
              {f.thumbnail ? (
                <img className="pending-thumb" src={f.thumbnail} alt="" />
              ) : (
                <span className="pending-thumb">
                  <Icon name="file" size={28} />
                </span>
              )}
              <span className="pending-name" title={f.name}>
                {f.name}
              </span>
              <span className="pending-size muted">{formatBytes(f.size)}</span>
              {f.status === 'failed' ? (
                <span className="pending-error" role="alert">
                  {f.error}
                </span>
              ) : (
                <progress
                  max={100}
                  value={percent(f)}
                  aria-label={f.status === 'done' ? `${f.name} uploaded` : `Uploading ${f.name}`}
                />
              )}
              <button
                type="button"
                className="icon-button small pending-remove"
                aria-label={f.status === 'uploading' ? `Cancel ${f.name}` : `Remove ${f.name}`}
                onClick={() => removeFile(channelId, f.key)}
              >
                <Icon name="close" size={14} />
              </button>
            </li>
          ))}
        </ul>
      )}
      {queued && (
        <p className="attachment-queued muted" role="status">
          Sends when the uploads have finished.
        </p>
      )}
    </div>
  );
}

/** The paperclip: picks one or more files from the device. */
export function AttachButton({ channelId }: { channelId: string }) {
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <button
        type="button"
        className="icon-button attach-button"
        aria-label="Attach files"
        title={`Attach files (up to ${MAX_ATTACHMENTS_PER_MESSAGE})`}
        onClick={() => input.current?.click()}
      >
        <Icon name="paperclip" />
      </button>
      <input
        ref={input}
        type="file"
        multiple
        hidden
        aria-label="Files to attach"
        onChange={(e) => {
          const picked = [...(e.target.files ?? [])];
          e.target.value = '';
          void addFiles(channelId, picked);
        }}
      />
    </>
  );
}

/** Files pasted into the composer (a screenshot from the clipboard), or none. */
export function pastedFiles(data: DataTransfer): File[] {
  return [...data.items].flatMap((item) => {
    if (item.kind !== 'file') return [];
    const file = item.getAsFile();
    return file ? [file] : [];
  });
}
