import type { Message } from '@decentra/protocol';
import type { MessageRow } from '../../storage/rows.js';
import type { AuthorRow, ReplySnapshot } from './messages.repo.js';

/** A message as clients see it; `reactions` empty (history fills them in for its reader). */
/** What a read adds to the row: a reply's original (null: deleted) and whether it is pinned. */
export interface MessageExtras {
  original?: ReplySnapshot | null | undefined;
  pinned?: boolean | undefined;
}

export function toMessage(row: MessageRow, author: AuthorRow, extras: MessageExtras = {}): Message {
  const { original, pinned } = extras;
  return {
    id: row.id.toString(),
    channelId: row.channelId.toString(),
    author: authorRef(author),
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
                  author: authorRef(original.author),
                  content: original.content,
                  ...(original.files > 0 ? { attachmentCount: original.files } : {}),
                  ...(original.call ? { call: true as const } : {}),
                }
              : null,
          },
        }),
    ...(pinned ? { pinned: true } : {}),
    ...(row.embeds && row.embeds.length > 0 ? { embeds: row.embeds } : {}),
    reactions: [],
  };
}

/**
 * An edited message, without `reactions`: one copy goes to every reader, whose own `me` it cannot
 * hold, so clients keep the reactions they have (the `reaction_*` events keep them current).
 */
export function toEditedMessage(row: MessageRow, author: AuthorRow, extras: MessageExtras = {}): Message {
  const { reactions: _, ...message } = toMessage(row, author, extras);
  return message;
}

function authorRef(author: AuthorRow): Message['author'] {
  const ref = { id: author.id.toString(), username: author.username };
  return author.avatarHash ? { ...ref, avatar: author.avatarHash } : ref;
}
