import { AttachmentSchema, MAX_ATTACHMENTS_PER_MESSAGE, ReplyOriginalSchema } from '@decentra/protocol';
import * as z from 'zod';

/** One message waiting to be sent, as kept across a reload: its nonce makes a resend harmless. */
const SavedSendSchema = z.object({
  nonce: z.string().min(1).max(64),
  channelId: z.string().min(1),
  content: z.string(),
  createdAt: z.string(),
  /** A reply's options (the original's snapshot shows on the pending copy after a reload too). */
  reply: z
    .object({
      replyTo: z.string().min(1),
      mentionReplied: z.boolean(),
      original: ReplyOriginalSchema.optional(),
    })
    .optional(),
  /** Files already uploaded for it (the pending copy shows them after a reload too). */
  attachments: z.array(AttachmentSchema).min(1).max(MAX_ATTACHMENTS_PER_MESSAGE).optional(),
});
export type SavedSend = z.infer<typeof SavedSendSchema>;

/** Where the outbox is kept between page loads (per user). */
export interface OutboxKeeper {
  load(): SavedSend[];
  save(sends: readonly SavedSend[]): void;
}

/** The part of the Web Storage API used (the SDK has no DOM types; the web app passes `localStorage`). */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

const KEY_PREFIX = 'decentra.outbox.';

/**
 * The outbox in `localStorage` (or another such storage), one key per user: written on every change (the tab may close at
 * any moment, `pagehide` is not always fired), read when the session is ready. Storage that is
 * missing, full or holding something unreadable keeps nothing rather than failing a send.
 */
export function localOutbox(userId: string, storage: KeyValueStorage | undefined): OutboxKeeper {
  const key = KEY_PREFIX + userId;
  return {
    load() {
      try {
        const raw = storage?.getItem(key);
        if (!raw) return [];
        const parsed = z.array(SavedSendSchema).safeParse(JSON.parse(raw));
        return parsed.success ? parsed.data : [];
      } catch {
        return [];
      }
    },
    save(sends) {
      try {
        if (sends.length === 0) storage?.removeItem(key);
        else storage?.setItem(key, JSON.stringify(sends));
      } catch {
        // Quota or privacy mode: the messages still go out while the tab is open.
      }
    },
  };
}
