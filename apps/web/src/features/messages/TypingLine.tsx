import { typingNames } from '@decentra/client';
import { useEffect, useState } from 'react';
import { chatStore } from '../../app/client';
import { useChat } from '../../app/hooks';

/** "X is typing…", refreshed every second so it fades when they stop. */
export function TypingLine({ channelId }: { channelId: string }) {
  const entries = useChat((s) => s.typing[channelId]);
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!entries) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [entries]);
  const names = entries ? typingNames(chatStore.getState(), channelId, now) : [];
  let text = '';
  if (names.length === 1) text = `${names[0]} is typing…`;
  else if (names.length === 2) text = `${names[0]} and ${names[1]} are typing…`;
  else if (names.length > 2) text = 'Several people are typing…';
  return (
    <div className="typing-line" aria-live="polite">
      {text}
    </div>
  );
}
