import { type DragEvent, type ReactNode, useRef, useState } from 'react';
import { addFiles } from './tray-store';

const carriesFiles = (e: DragEvent) => e.dataTransfer.types.includes('Files');

interface FileDrop {
  /** Spread on the conversation's element. */
  props: {
    onDragEnter: (e: DragEvent) => void;
    onDragOver: (e: DragEvent) => void;
    onDragLeave: (e: DragEvent) => void;
    onDrop: (e: DragEvent) => void;
  };
  /** Shown over the conversation while files are dragged over it. */
  overlay: ReactNode;
}

/** Files dropped anywhere on the conversation join its composer's tray. */
export function useFileDrop(channelId: string, label: string): FileDrop {
  const [over, setOver] = useState(false);
  // dragenter/dragleave fire for every child crossed: count them to know when the pointer left.
  const depth = useRef(0);
  return {
    props: {
      onDragEnter: (e) => {
        if (!carriesFiles(e)) return;
        e.preventDefault();
        depth.current += 1;
        setOver(true);
      },
      onDragOver: (e) => {
        if (!carriesFiles(e)) return;
        e.preventDefault();
        e.dataTransfer.dropEffect = 'copy';
      },
      onDragLeave: (e) => {
        if (!carriesFiles(e)) return;
        depth.current = Math.max(0, depth.current - 1);
        if (depth.current === 0) setOver(false);
      },
      onDrop: (e) => {
        if (!carriesFiles(e)) return;
        e.preventDefault();
        depth.current = 0;
        setOver(false);
        void addFiles(channelId, [...e.dataTransfer.files]);
      },
    },
    overlay: over ? (
      <div className="drop-overlay" aria-hidden="true">
        <p>Drop files to send them to {label}</p>
      </div>
    ) : null,
  };
}
