import { useEffect, useState } from 'react';
import { chat } from '../../app/client';
import { useChat } from '../../app/hooks';
import { errorText } from '../../ui/error-text';
import { useFileDrop } from '../attachments/use-file-drop';
import { markChannelRead } from '../unread/mark-read';
import { hideNewLine } from '../unread/new-line';
import { useMarkRead } from '../unread/use-mark-read';
import { Composer } from './Composer';
import { MessageList } from './MessageList';
import { ReplyBar } from './ReplyBar';
import { TypingLine } from './TypingLine';

/** A conversation: history, the typing line, and the composer; read while it is on screen. */
export function ChatView({ channelId }: { channelId: string }) {
  const label = useChat((s) => {
    const c = s.channels[channelId];
    if (!c) return '';
    if (c.type === 'dm') return `@${c.recipients?.find((r) => r.id !== s.me?.id)?.username ?? c.name}`;
    return `#${c.name}`;
  });
  // A DM with someone no longer a friend can be read but not written to (the server refuses).
  const exFriend = useChat((s) => {
    const c = s.channels[channelId];
    if (c?.type !== 'dm') return null;
    const other = c.recipients?.find((r) => r.id !== s.me?.id);
    return other && !s.friends[other.id] ? other.username : null;
  });
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    chat()
      .open(channelId)
      .catch((err) => setError(errorText(err)));
  }, [channelId]);
  useMarkRead(channelId);
  useEffect(() => () => hideNewLine(channelId), [channelId]);
  const drop = useFileDrop(channelId, label);
  return (
    // Escape anywhere in the conversation marks it read and takes the new-messages line away.
    <section
      className="chat-view"
      aria-label={label}
      onKeyDown={(e) => {
        if (e.key !== 'Escape') return;
        hideNewLine(channelId);
        markChannelRead(channelId);
      }}
      {...(exFriend === null ? drop.props : {})}
    >
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <MessageList channelId={channelId} title={label} />
      <TypingLine channelId={channelId} />
      {exFriend === null && <ReplyBar channelId={channelId} />}
      {exFriend === null ? (
        <Composer channelId={channelId} label={label} />
      ) : (
        <p className="composer-closed" role="status">
          You and {exFriend} are no longer friends: you can read this conversation but not write in it.
        </p>
      )}
      {drop.overlay}
    </section>
  );
}
