import { avatarColor } from './avatar-color';

/** Up to two initials of a name: "Book Club" -> "BC", "alice" -> "AL". */
export function initials(name: string): string {
  const words = name
    .trim()
    .split(/\s+/)
    .filter((w) => /^[\p{L}\p{N}]/u.test(w));
  if (words.length >= 2)
    return `${[...(words[0] ?? '')][0] ?? ''}${[...(words[1] ?? '')][0] ?? ''}`.toUpperCase();
  return [...(words[0] ?? '?')].slice(0, 2).join('').toUpperCase();
}

/**
 * A round badge with initials on the user's own colour (from their id, so the same person looks
 * the same everywhere) and, optionally, a presence dot.
 */
export function Avatar({ id, name, status }: { id: string; name: string; status?: 'online' | 'offline' }) {
  return (
    <span className="avatar" aria-hidden="true" style={{ backgroundColor: avatarColor(id) }}>
      {initials(name)}
      {status && <span className={`presence-dot ${status}`} />}
    </span>
  );
}
