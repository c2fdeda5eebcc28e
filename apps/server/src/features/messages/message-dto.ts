import type { Message } from '@decentra/protocol';
import type { MessageRow } from '../../storage/rows.js';
import type { ReplySnapshot } from './messages.repo.js';

/** What a read adds to the row: a reply's original (null: deleted) and whether it is pinned. */
export interface MessageExtras {
  original?: ReplySnapshot | null | undefined;
  pinned?: boolean | undefined;
}

export function toMessage(
  row: MessageRow,
  author: { id: bigint; username: string },
  extras: MessageExtras = {},
): Message {
  const { original, pinned } = extras;
  return {
    id: row.id.toString(),
    channelId: row.channelId.toString(),
    author: { id: author.id.toString(), username: author.username },
    content: row.content,
    mentions: row.mentions.map(String),
    createdAt: row.createdAt.toISOString(),
    editedAt: row.editedAt?.toISOString() ?? null,
    ...(row.mentionEveryone === null ? {} : { mentionEveryone: row.mentionEveryone }),
    ...(row.nonce === null ? {} : { nonce: row.nonce }),
    ...(row.callOutcome === null
      ? {}
      : { call: { outcome: row.callOutcome, durationSeconds: row.callDurationSeconds ?? 0 } }),
    ...(row.replyToId === null
      ? {}
      : {
          reference: {
            messageId: row.replyToId.toString(),
            message: original
              ? {
                  author: { id: original.author.id.toString(), username: original.author.username },
                  content: original.content,
                }
              : null,
          },
        }),
    ...(pinned ? { pinned: true } : {}),
  };
}
