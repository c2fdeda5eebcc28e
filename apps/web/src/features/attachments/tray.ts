import { type Attachment, MAX_ATTACHMENTS_PER_MESSAGE } from '@decentra/protocol';
import { formatBytes } from '../../ui/format';

/** One file in the composer's tray: uploading from the moment it was added, then ready to send. */
export interface PendingFile {
  key: string;
  name: string;
  size: number;
  /** The browser's guess from the name (the thumbnail is shown for `image/*`); the server checks the bytes. */
  type: string;
  status: 'uploading' | 'done' | 'failed';
  /** Bytes sent so far. */
  loaded: number;
  /** Set once uploaded: the server's record, whose id the message carries. */
  attachment?: Attachment;
  error?: string;
  /** An object URL of the file for the thumbnail (images only), revoked when it leaves the tray. */
  thumbnail?: string;
}

/** What the server allows this user now (`GET /api/attachments/usage`). */
export interface UploadLimits {
  maxFileBytes: number;
  quotaBytes: number;
  usedBytes: number;
}

interface Candidate {
  name: string;
  size: number;
}

/**
 * Which of `candidates` may join the tray, in order, and why the others may not: at most
 * MAX_ATTACHMENTS_PER_MESSAGE files in all, none over the size cap, and together with the files
 * still uploading (the server counts a file once it is stored) within what is left of the quota.
 * Refused before an upload starts, so a user is not kept waiting for a refusal.
 */
export function admit<C extends Candidate>(
  tray: readonly PendingFile[],
  candidates: readonly C[],
  limits: UploadLimits | undefined,
): { accepted: C[]; refused: string[] } {
  const accepted: C[] = [];
  const refused: string[] = [];
  let count = tray.length;
  let left = limits
    ? limits.quotaBytes -
      limits.usedBytes -
      tray.reduce((sum, f) => sum + (f.status === 'uploading' ? f.size : 0), 0)
    : Number.POSITIVE_INFINITY;
  let overCount = 0;
  for (const c of candidates) {
    if (count >= MAX_ATTACHMENTS_PER_MESSAGE) {
      overCount += 1;
    } else if (limits && c.size > limits.maxFileBytes) {
      refused.push(`“${c.name}” is too large: files can be up to ${formatBytes(limits.maxFileBytes)}.`);
    } else if (c.size > left) {
      refused.push(
        `“${c.name}” (${formatBytes(c.size)}) is more than your storage has left (${formatBytes(Math.max(0, left))}).`,
      );
    } else {
      accepted.push(c);
      count += 1;
      left -= c.size;
    }
  }
  if (overCount > 0)
    refused.push(
      `A message can carry up to ${MAX_ATTACHMENTS_PER_MESSAGE} files: ${overCount === 1 ? 'one was' : `${overCount} were`} left out.`,
    );
  return { accepted, refused };
}

export function progressed(tray: readonly PendingFile[], key: string, loaded: number): PendingFile[] {
  return tray.map((f) => (f.key === key && f.status === 'uploading' ? { ...f, loaded } : f));
}

export function uploaded(tray: readonly PendingFile[], key: string, attachment: Attachment): PendingFile[] {
  return tray.map((f) => (f.key === key ? { ...f, status: 'done', loaded: f.size, attachment } : f));
}

export function failed(tray: readonly PendingFile[], key: string, error: string): PendingFile[] {
  return tray.map((f) => (f.key === key ? { ...f, status: 'failed', error } : f));
}

export function removed(tray: readonly PendingFile[], key: string): PendingFile[] {
  return tray.filter((f) => f.key !== key);
}

/** Whether a message can go now, must wait for uploads, or is held by a failed file (remove it or retry). */
export function trayState(tray: readonly PendingFile[]): 'empty' | 'uploading' | 'failed' | 'ready' {
  if (tray.length === 0) return 'empty';
  if (tray.some((f) => f.status === 'failed')) return 'failed';
  if (tray.some((f) => f.status === 'uploading')) return 'uploading';
  return 'ready';
}

/** The uploaded files in the tray's order (what the message carries). */
export function readyAttachments(tray: readonly PendingFile[]): Attachment[] {
  return tray.flatMap((f) => (f.attachment ? [f.attachment] : []));
}

/** 0–100 for the progress bar. */
export function percent(file: PendingFile): number {
  if (file.status === 'done' || file.size === 0) return 100;
  return Math.min(100, Math.floor((file.loaded / file.size) * 100));
}
