import type { Attachment } from '@decentra/protocol';
import { create } from 'zustand';
import { rest, useAuth } from '../../app/client';
import { errorText } from '../../ui/error-text';
import {
  admit,
  failed,
  type PendingFile,
  progressed,
  readyAttachments,
  removed,
  trayState,
  type UploadLimits,
  uploaded,
} from './tray';
import { uploadFile } from './upload';

interface ChannelTray {
  files: PendingFile[];
  /** Why files were refused (too large, over the quota, too many), until the next change. */
  notices: string[];
  /** A message was sent while files were still uploading: it goes once they have finished. */
  queued: boolean;
}

const EMPTY: ChannelTray = Object.freeze({ files: [], notices: [], queued: false });

/** The composer's pending files, per channel (a half-written message with files survives a channel switch). */
export const useTrays = create<Record<string, ChannelTray>>(() => ({}));

export function trayOf(state: Record<string, ChannelTray>, channelId: string): ChannelTray {
  return state[channelId] ?? EMPTY;
}

const uploads = new Map<string, AbortController>();
const waiting = new Map<string, (attachments: Attachment[]) => void>();
let nextKey = 0;

function update(channelId: string, fn: (tray: ChannelTray) => ChannelTray): void {
  useTrays.setState((s) => ({ [channelId]: fn(trayOf(s, channelId)) }));
}

/** Fresh limits for each batch: what the user stored elsewhere in the meantime counts too. */
async function currentLimits(): Promise<UploadLimits | undefined> {
  try {
    return await rest.uploadUsage();
  } catch {
    // Unknown: the server's own refusal will tell.
    return undefined;
  }
}

/** Adds files to a channel's tray (button, drop or paste) and starts their uploads at once. */
export async function addFiles(channelId: string, files: readonly File[]): Promise<void> {
  if (files.length === 0) return;
  const limits = await currentLimits();
  const { accepted, refused } = admit(trayOf(useTrays.getState(), channelId).files, files, limits);
  const added = accepted.map((file) => ({ file, key: `f${++nextKey}` }));
  update(channelId, (tray) => ({
    ...tray,
    notices: refused,
    files: [
      ...tray.files,
      ...added.map(
        ({ file, key }): PendingFile => ({
          key,
          name: file.name,
          size: file.size,
          type: file.type,
          status: 'uploading',
          loaded: 0,
          ...(file.type.startsWith('image/') ? { thumbnail: URL.createObjectURL(file) } : {}),
        }),
      ),
    ],
  }));
  for (const { file, key } of added) start(channelId, key, file);
}

function start(channelId: string, key: string, file: File): void {
  const controller = new AbortController();
  uploads.set(key, controller);
  uploadFile({
    channelId,
    file,
    filename: file.name,
    signal: controller.signal,
    ...(rest.token ? { token: rest.token } : {}),
    onProgress: (loaded) => update(channelId, (t) => ({ ...t, files: progressed(t.files, key, loaded) })),
  }).then(
    (attachment) => {
      uploads.delete(key);
      update(channelId, (t) => ({ ...t, files: uploaded(t.files, key, attachment) }));
      sendIfWaiting(channelId);
    },
    (err: unknown) => {
      uploads.delete(key);
      if (err instanceof DOMException && err.name === 'AbortError') return;
      update(channelId, (t) => ({ ...t, files: failed(t.files, key, errorText(err)) }));
    },
  );
}

/** Takes a file out of the tray, cancelling its upload if it is still going. */
export function removeFile(channelId: string, key: string): void {
  uploads.get(key)?.abort();
  uploads.delete(key);
  const file = trayOf(useTrays.getState(), channelId).files.find((f) => f.key === key);
  if (file?.thumbnail) URL.revokeObjectURL(file.thumbnail);
  update(channelId, (t) => ({ ...t, notices: [], files: removed(t.files, key) }));
  sendIfWaiting(channelId);
}

/** The uploaded files, emptying the tray, once every upload has finished; undefined while any has not. */
function takeAttachments(channelId: string): Attachment[] | undefined {
  const { files } = trayOf(useTrays.getState(), channelId);
  const state = trayState(files);
  if (state === 'empty') return [];
  if (state !== 'ready') return undefined;
  for (const f of files) if (f.thumbnail) URL.revokeObjectURL(f.thumbnail);
  update(channelId, () => EMPTY);
  return readyAttachments(files);
}

export function dismissNotices(channelId: string): void {
  update(channelId, (t) => ({ ...t, notices: [] }));
}

/**
 * Sends with the tray's files: now if every upload has finished (or there are none), else once
 * they have (a failed one holds it until it is removed; removing every file sends the text alone).
 */
export function sendWithFiles(channelId: string, send: (attachments: Attachment[]) => void): void {
  waiting.set(channelId, send);
  if (!sendIfWaiting(channelId)) update(channelId, (t) => ({ ...t, queued: true }));
}

function sendIfWaiting(channelId: string): boolean {
  const send = waiting.get(channelId);
  if (!send) return false;
  const attachments = takeAttachments(channelId);
  if (!attachments) return false;
  waiting.delete(channelId);
  update(channelId, (t) => ({ ...t, queued: false }));
  send(attachments);
  return true;
}

// Logging out drops every tray: the next account on this page starts with none.
useAuth.subscribe(({ status }) => {
  if (status !== 'anonymous') return;
  for (const controller of uploads.values()) controller.abort();
  uploads.clear();
  waiting.clear();
  for (const tray of Object.values(useTrays.getState()))
    for (const f of tray.files) if (f.thumbnail) URL.revokeObjectURL(f.thumbnail);
  useTrays.setState({}, true);
});
