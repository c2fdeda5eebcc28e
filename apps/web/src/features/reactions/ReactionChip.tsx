import type { Reaction } from '@decentra/protocol';
import { useState } from 'react';
import { rest } from '../../app/client';
import { useChat } from '../../app/hooks';
import { whoReactedText } from './who-reacted';

interface ChipProps {
  channelId: string;
  messageId: string;
  reaction: Reaction;
  onToggle: (emoji: string, on: boolean) => void;
}

/** "😀 3": pressed when one of them is mine; hover or focus asks who (the first three by name). */
export function ReactionChip({ channelId, messageId, reaction, onToggle }: ChipProps) {
  const myId = useChat((s) => s.me?.id);
  const [who, setWho] = useState<{ count: number; text: string } | null>(null);
  const [open, setOpen] = useState(false);
  const show = () => {
    setOpen(true);
    if (who?.count === reaction.count) return;
    rest
      .listReactors({ channelId, messageId, emoji: reaction.emoji, limit: 3 })
      .then((users) => {
        const names = users.map((u) => (u.id === myId ? 'You' : u.username));
        setWho({
          count: reaction.count,
          text: `${whoReactedText(names, reaction.count)} reacted with ${reaction.emoji}`,
        });
      })
      .catch(() => undefined);
  };
  return (
    <span className="reaction-wrap">
      <button
        type="button"
        className={`reaction${reaction.me ? ' mine' : ''}`}
        aria-pressed={reaction.me}
        aria-label={`${reaction.emoji} ${reaction.count}, ${reaction.me ? 'remove your reaction' : 'add your reaction'}`}
        onClick={() => onToggle(reaction.emoji, !reaction.me)}
        onMouseEnter={show}
        onMouseLeave={() => setOpen(false)}
        onFocus={show}
        onBlur={() => setOpen(false)}
      >
        <span className="reaction-emoji">{reaction.emoji}</span>
        <span className="reaction-count">{reaction.count}</span>
      </button>
      {open && who && (
        <span className="reaction-who" role="tooltip">
          {who.text}
        </span>
      )}
    </span>
  );
}
