import type { Message } from '@decentra/protocol';
import type { MessageRow } from '../../storage/rows.js';

/** A message as clients see it; `reactions` empty (history fills them in for its reader). */
export function toMessage(row: MessageRow, author: { id: bigint; username: string }): Message {
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
    reactions: [],
  };
}

/**
 * An edited message, without `reactions`: one copy goes to every reader, whose own `me` it cannot
 * hold, so clients keep the reactions they have (the `reaction_*` events keep them current).
 */
export function toEditedMessage(row: MessageRow, author: { id: bigint; username: string }): Message {
  const { reactions: _, ...message } = toMessage(row, author);
  return message;
}
