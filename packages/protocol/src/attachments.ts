import * as z from 'zod';
import { IdSchema, NO_CONTROL } from './common.js';

/** At most this many files under one message. */
export const MAX_ATTACHMENTS_PER_MESSAGE = 10;
/** The default cap on one file (the admin may change it: `DECENTRA_MAX_UPLOAD_BYTES`). */
export const DEFAULT_MAX_UPLOAD_BYTES = 25 * 1024 * 1024;
/** The default total a user may store (`DECENTRA_UPLOAD_QUOTA_BYTES`). */
export const DEFAULT_UPLOAD_QUOTA_BYTES = 1024 * 1024 * 1024;

/** A file's name as given by the uploader: shown and offered on download, never trusted for its type. */
export const FilenameSchema = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(255, 'must be at most 255 characters')
  .regex(NO_CONTROL, 'must not contain control characters')
  .refine((v) => !/[/\\]/.test(v), 'must not contain "/" or "\\"');

/**
 * How a client shows a file: `image`, `video` and `audio` are of a type checked from the bytes
 * that browsers play inline; anything else is a `file` (a card with a download).
 */
export const AttachmentKindSchema = z.enum(['image', 'video', 'audio', 'file']);
export type AttachmentKind = z.infer<typeof AttachmentKindSchema>;

export const AttachmentSchema = z
  .object({
    id: IdSchema,
    filename: z.string(),
    /** Bytes, as stored (after metadata was stripped from an image). */
    size: z.number().int().min(0),
    /** Detected from the bytes, not from the name or the uploader's header. */
    contentType: z.string(),
    kind: AttachmentKindSchema,
    /** Images and videos whose size is known: the list reserves the box before the file loads. */
    width: z.number().int().positive().optional(),
    height: z.number().int().positive().optional(),
    /** An animated image (GIF, WebP, AVIF), kept animated. */
    animated: z.literal(true).optional(),
    /** A signed, expiring URL on this server (a path, `/api/files/…`). */
    url: z.string(),
    /** Images: a resized preview (signed like `url`); clients show it in the list. */
    previewUrl: z.string().optional(),
  })
  .meta({ id: 'Attachment' });
export type Attachment = z.infer<typeof AttachmentSchema>;

/** `POST /api/channels/:channelId/attachments?filename=…`: the body is the file's bytes. */
export const UploadQuerySchema = z.strictObject({ filename: FilenameSchema });

/** `GET /api/attachments/usage`: what the caller stores, and the limits (clients check before sending). */
export const UploadUsageSchema = z
  .object({
    usedBytes: z.number().int().min(0),
    quotaBytes: z.number().int().min(0),
    maxFileBytes: z.number().int().positive(),
  })
  .meta({ id: 'UploadUsage' });
export type UploadUsage = z.infer<typeof UploadUsageSchema>;

export const FileParamsSchema = z.strictObject({
  attachmentId: IdSchema,
  filename: z.string().min(1).max(1024),
});
export const PreviewParamsSchema = z.strictObject({ attachmentId: IdSchema });
/** A file URL's signature (from the message DTO); without it (or expired), the session cookie must do. */
export const FileQuerySchema = z.strictObject({
  expires: z.coerce.number<number>().int().min(0).optional(),
  sig: z.string().max(128).optional(),
});
