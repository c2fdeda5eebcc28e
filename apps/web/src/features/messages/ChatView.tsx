import { useEffect, useState } from 'react';
import { chat } from '../../app/client';
import { useChat } from '../../app/hooks';
import { errorText } from '../../ui/error-text';
import { Composer } from './Composer';
import { MessageList } from './MessageList';
import { TypingLine } from './TypingLine';

/** A conversation: history, the typing line, and the composer. */
export function ChatView({ channelId }: { channelId: string }) {
  const label = useChat((s) => {
    const c = s.channels[channelId];
    if (!c) return '';
    if (c.type === 'dm') return `@${c.recipients?.find((r) => r.id !== s.me?.id)?.username ?? c.name}`;
    return `#${c.name}`;
  });
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    chat()
      .open(channelId)
      .catch((err) => setError(errorText(err)));
  }, [channelId]);
  return (
    <section className="chat-view" aria-label={label}>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <MessageList channelId={channelId} title={label} />
      <TypingLine channelId={channelId} />
      <Composer channelId={channelId} label={label} />
    </section>
  );
}
