import { countText, mentionLabel } from './unread-state';

/** The red pill with the number of unread mentions ("99+" from the cap); nothing at zero. */
export function MentionBadge({ count, className = '' }: { count: number; className?: string }) {
  if (count <= 0) return null;
  return (
    <span
      className={`mention-badge${className ? ` ${className}` : ''}`}
      role="img"
      aria-label={mentionLabel(count)}
    >
      {countText(count)}
    </span>
  );
}
