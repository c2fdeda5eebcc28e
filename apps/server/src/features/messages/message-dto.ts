import type { Message } from '@decentra/protocol';
import type { MessageRow } from '../../storage/rows.js';

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
  };
}
