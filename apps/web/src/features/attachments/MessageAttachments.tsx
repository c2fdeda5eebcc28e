import type { Attachment } from '@decentra/protocol';
import { useState } from 'react';
import { formatBytes } from '../../ui/format';
import { Icon } from '../../ui/Icon';
import { fitInside, PREVIEW_BOX } from './fit-size';
import { Lightbox } from './Lightbox';

/** The files under a message, stacked in the order sent. */
export function MessageAttachments({ attachments }: { attachments: readonly Attachment[] | undefined }) {
  const [open, setOpen] = useState<Attachment | null>(null);
  if (!attachments || attachments.length === 0) return null;
  return (
    <div className="attachments">
      {attachments.map((a) => (
        <AttachmentView key={a.id} attachment={a} onOpen={() => setOpen(a)} />
      ))}
      {open && <Lightbox attachment={open} onClose={() => setOpen(null)} />}
    </div>
  );
}

function AttachmentView({ attachment: a, onOpen }: { attachment: Attachment; onOpen: () => void }) {
  switch (a.kind) {
    case 'image': {
      // The box has its final size from the server's width/height before the picture loads.
      const size = a.width && a.height ? fitInside(a.width, a.height) : PREVIEW_BOX;
      return (
        <button
          type="button"
          className="attachment-image"
          aria-label={`Open ${a.filename}`}
          style={{ width: size.width, aspectRatio: `${size.width} / ${size.height}` }}
          onClick={onOpen}
        >
          <img
            src={a.previewUrl ?? a.url}
            alt={a.filename}
            width={size.width}
            height={size.height}
            loading="lazy"
            decoding="async"
          />
        </button>
      );
    }
    case 'video': {
      const size = a.width && a.height ? fitInside(a.width, a.height, VIDEO_BOX) : VIDEO_BOX;
      return (
        // biome-ignore lint/a11y/useMediaCaption: user-posted videos come without captions.
        <video
          className="attachment-video"
          src={a.url}
          controls
          preload="metadata"
          aria-label={a.filename}
          style={{ width: size.width, aspectRatio: `${size.width} / ${size.height}` }}
        />
      );
    }
    case 'audio':
      return (
        <figure className="attachment-audio">
          <figcaption>
            {a.filename} <span className="muted">{formatBytes(a.size)}</span>
          </figcaption>
          {/* biome-ignore lint/a11y/useMediaCaption: user-posted audio comes without captions. */}
          <audio src={a.url} controls preload="metadata" aria-label={a.filename} />
        </figure>
      );
    case 'file':
      return <FileCard attachment={a} />;
  }
}

/** Videos get a wider box than images (most are 16:9). */
const VIDEO_BOX = { width: 480, height: 300 };

function FileCard({ attachment: a }: { attachment: Attachment }) {
  return (
    <div className="attachment-file">
      <Icon name="file" size={28} />
      <div className="attachment-file-text">
        <a href={a.url} download={a.filename} className="attachment-file-name">
          {a.filename}
        </a>
        <span className="muted">{formatBytes(a.size)}</span>
      </div>
      <a
        href={a.url}
        download={a.filename}
        className="icon-button small"
        aria-label={`Download ${a.filename}`}
      >
        <Icon name="download" size={18} />
      </a>
    </div>
  );
}
