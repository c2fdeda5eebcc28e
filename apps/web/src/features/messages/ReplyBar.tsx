import { useEffect } from 'react';
import { Icon } from '../../ui/Icon';
import { cancelReply, toggleReplyMention, useReplyDrafts } from './reply-draft';

/** "Replying to alice" above the composer: the @ toggle says whether alice is mentioned; × or Escape cancels. */
export function ReplyBar({ channelId }: { channelId: string }) {
  const draft = useReplyDrafts((s) => s[channelId]);
  useEffect(() => {
    if (!draft) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape' || !(e.target instanceof Element) || !e.target.closest('.chat-view')) return;
      cancelReply(channelId);
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [draft, channelId]);
  if (!draft) return null;
  return (
    <div className="reply-bar" role="status">
      <span>
        Replying to <strong>{draft.original.author.username}</strong>
      </span>
      <button
        type="button"
        className={`reply-mention${draft.mention ? ' on' : ''}`}
        aria-pressed={draft.mention}
        title={draft.mention ? 'The reply mentions them' : 'The reply does not mention them'}
        onClick={() => toggleReplyMention(channelId)}
      >
        @ {draft.mention ? 'ON' : 'OFF'}
      </button>
      <button
        type="button"
        className="icon-button small"
        aria-label="Cancel reply"
        onClick={() => cancelReply(channelId)}
      >
        <Icon name="close" size={16} />
      </button>
    </div>
  );
}
