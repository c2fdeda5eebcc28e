import { type MessageReference, replyQuoteText } from '@decentra/protocol';
import { Avatar } from '../../ui/Avatar';
import { jumpToMessage } from './jump-to-message';

/** The quoted original above a reply: one line, a click jumps to it; a deleted one says so. */
export function ReplyPreview({ channelId, reference }: { channelId: string; reference: MessageReference }) {
  const original = reference.message;
  if (!original) {
    return (
      <div className="reply-preview deleted">
        <em>Original message was deleted</em>
      </div>
    );
  }
  const text = replyQuoteText(original);
  return (
    <button
      type="button"
      className="reply-preview"
      aria-label={`Reply to ${original.author.username}: ${text}. Jump to the original`}
      onClick={() => void jumpToMessage(channelId, reference.messageId)}
    >
      <Avatar id={original.author.id} name={original.author.username} avatar={original.author.avatar} />
      <span className="reply-author">{original.author.username}</span>
      <span className={original.content === '' ? 'reply-content reply-content-none' : 'reply-content'}>
        {text}
      </span>
    </button>
  );
}
