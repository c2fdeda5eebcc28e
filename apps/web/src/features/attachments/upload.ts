import { ApiError } from '@decentra/client';
import {
  type Attachment,
  AttachmentSchema,
  CSRF_HEADER,
  CSRF_HEADER_VALUE,
  ErrorBodySchema,
} from '@decentra/protocol';

interface UploadOptions {
  channelId: string;
  file: Blob;
  filename: string;
  /** Bytes sent so far, as the browser reports them. */
  onProgress: (loaded: number) => void;
  /** Aborting cancels the upload; the promise then rejects with an AbortError. */
  signal: AbortSignal;
  /** A bearer token when the page holds one (otherwise the session cookie authenticates). */
  token?: string;
}

/**
 * `POST /api/channels/:channelId/attachments?filename=…` with the file's bytes as the body.
 * XMLHttpRequest rather than fetch: fetch reports no upload progress (a streamed request body
 * would, but needs HTTP/2 and is Chromium-only), and the tray shows a bar per file.
 */
export function uploadFile({
  channelId,
  file,
  filename,
  onProgress,
  signal,
  token,
}: UploadOptions): Promise<Attachment> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(new DOMException('The upload was cancelled.', 'AbortError'));
      return;
    }
    const xhr = new XMLHttpRequest();
    xhr.open(
      'POST',
      `/api/channels/${encodeURIComponent(channelId)}/attachments?filename=${encodeURIComponent(filename)}`,
    );
    xhr.setRequestHeader(CSRF_HEADER, CSRF_HEADER_VALUE);
    xhr.setRequestHeader('content-type', 'application/octet-stream');
    if (token) xhr.setRequestHeader('authorization', `Bearer ${token}`);
    xhr.withCredentials = true;
    xhr.upload.onprogress = (e) => onProgress(e.loaded);
    const onAbort = () => xhr.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    const done = () => signal.removeEventListener('abort', onAbort);
    xhr.onabort = () => {
      done();
      reject(new DOMException('The upload was cancelled.', 'AbortError'));
    };
    xhr.onerror = () => {
      done();
      reject(new ApiError(0, 'network', 'Could not reach the server.'));
    };
    xhr.onload = () => {
      done();
      const json = parseJson(xhr.responseText);
      if (xhr.status === 201) {
        const parsed = AttachmentSchema.safeParse(json);
        if (parsed.success) resolve(parsed.data);
        else
          reject(
            new ApiError(xhr.status, 'internal', 'The server answered the upload with something unexpected.'),
          );
        return;
      }
      reject(toApiError(xhr, json));
    };
    xhr.send(file);
  });
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

function toApiError(xhr: XMLHttpRequest, json: unknown): ApiError {
  const parsed = ErrorBodySchema.safeParse(json);
  if (!parsed.success) return new ApiError(xhr.status, 'internal', `The server answered ${xhr.status}.`);
  const { code, message, details } = parsed.data.error;
  const retry = Number(xhr.getResponseHeader('retry-after'));
  return new ApiError(
    xhr.status,
    code,
    message,
    details,
    Number.isFinite(retry) && retry > 0 ? retry : undefined,
  );
}
