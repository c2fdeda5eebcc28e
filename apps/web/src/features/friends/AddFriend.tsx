import type { UserSearchResult } from '@decentra/protocol';
import { useEffect, useRef, useState } from 'react';
import { rest } from '../../app/client';
import { useChat } from '../../app/hooks';
import { Avatar } from '../../ui/Avatar';
import { errorText } from '../../ui/error-text';

const LABEL: Record<UserSearchResult['relationship'], string> = {
  friend: 'Already friends',
  incoming: 'Asked you: see Pending',
  outgoing: 'Request sent',
  none: '',
};

/** Search people as you type and send a friend request. */
export function AddFriend() {
  const [query, setQuery] = useState('');
  const [results, setResults] = useState<UserSearchResult[]>([]);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const outgoing = useChat((s) => s.outgoing);
  const friends = useChat((s) => s.friends);
  const before = useRef(outgoing);

  // A request of mine that went away (declined, cancelled, or accepted): the row says so.
  useEffect(() => {
    const gone = before.current.filter((r) => !outgoing.some((o) => o.id === r.id)).map((r) => r.to.id);
    before.current = outgoing;
    if (gone.length === 0) return;
    setResults((rs) =>
      rs.map((r) =>
        gone.includes(r.id) && r.relationship === 'outgoing'
          ? { ...r, relationship: friends[r.id] ? 'friend' : 'none' }
          : r,
      ),
    );
  }, [outgoing, friends]);

  useEffect(() => {
    const q = query.trim();
    if (!q) {
      setResults([]);
      return;
    }
    let live = true;
    const timer = setTimeout(() => {
      rest.searchUsers({ q }).then(
        (r) => live && setResults(r),
        () => live && setResults([]),
      );
    }, 200);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [query]);

  const send = async (username: string) => {
    setMessage(null);
    try {
      const request = await rest.sendFriendRequest({ username });
      const instant = request.to.username.toLowerCase() !== username.toLowerCase();
      setMessage({
        ok: true,
        text: instant ? `You and ${username} are now friends.` : `Friend request sent to ${username}.`,
      });
      setResults((rs) =>
        rs.map((r) =>
          r.username === username ? { ...r, relationship: instant ? 'friend' : 'outgoing' } : r,
        ),
      );
    } catch (err) {
      setMessage({ ok: false, text: errorText(err) });
    }
  };

  return (
    <div className="add-friend">
      <h2 className="list-title">Add friend</h2>
      <label className="field">
        <span>Search by username</span>
        <input
          type="search"
          autoComplete="off"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          placeholder="Start typing a name…"
        />
      </label>
      {message && (
        <p className={message.ok ? 'form-notice' : 'form-error'} role={message.ok ? 'status' : 'alert'}>
          {message.text}
        </p>
      )}
      <ul className="people-list" aria-label="Search results">
        {results.map(({ relationship: found, ...r }) => {
          // Friendship is the store's to say (kept live by events); the rest is what search found.
          const relationship = friends[r.id] ? 'friend' : found === 'friend' ? 'none' : found;
          return (
            <li key={r.id} className="person-row">
              <Avatar id={r.id} name={r.username} avatar={r.avatar} />
              <span className="person-name">
                {r.username}
                {LABEL[relationship] && <span className="person-status">{LABEL[relationship]}</span>}
              </span>
              {relationship === 'none' && (
                <button
                  type="button"
                  className="button small"
                  aria-label={`Send friend request to ${r.username}`}
                  onClick={() => void send(r.username)}
                >
                  Send request
                </button>
              )}
            </li>
          );
        })}
      </ul>
      {query.trim() && results.length === 0 && <p className="muted">Nobody by that name yet.</p>}
    </div>
  );
}
