import { avatarUrl } from '@decentra/protocol';
import { useChat } from '../app/hooks';
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

interface AvatarProps {
  id: string;
  name: string;
  status?: 'online' | 'offline';
  /** The picture the ref at hand names; the store's newer word on this person wins over it. */
  avatar?: string | undefined;
}

/**
 * A round badge: the person's picture, or initials on their own colour (from their id, so the
 * same person looks the same everywhere); optionally a presence dot. The store's `users` entry is
 * kept current by `user_ref_update`, so a new picture shows everywhere at once.
 */
export function Avatar({ id, name, status, avatar }: AvatarProps) {
  const known = useChat((s) => s.users[id]);
  const hash = known ? known.avatar : avatar;
  return (
    <span
      className={`avatar${hash ? ' has-image' : ''}`}
      aria-hidden="true"
      style={{ backgroundColor: avatarColor(id) }}
    >
      {hash ? <img src={avatarUrl(hash)} alt="" draggable={false} /> : initials(name)}
      {status && <span className={`presence-dot ${status}`} />}
    </span>
  );
}
