import type { FriendRequest, UserRef } from '@decentra/protocol';
import { useState } from 'react';
import { rest } from '../../app/client';
import { useChat } from '../../app/hooks';
import { Avatar } from '../../ui/Avatar';
import { errorText } from '../../ui/error-text';
import { ProfileTrigger } from '../profile/ProfileTrigger';

/** Incoming requests (accept, decline) and outgoing ones (cancel). */
export function PendingRequests() {
  const incoming = useChat((s) => s.incoming);
  const outgoing = useChat((s) => s.outgoing);
  const [error, setError] = useState<string | null>(null);
  const act = (fn: () => Promise<unknown>) => () => {
    setError(null);
    fn().catch((err) => setError(errorText(err)));
  };
  if (incoming.length === 0 && outgoing.length === 0)
    return <p className="empty">No pending friend requests.</p>;
  return (
    <>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {incoming.length > 0 && (
        <RequestList title={`Incoming — ${incoming.length}`} requests={incoming} who={(r) => r.from}>
          {(r) => (
            <>
              <button
                type="button"
                className="button small"
                aria-label={`Accept ${r.from.username}`}
                onClick={act(() => rest.acceptFriendRequest({ requestId: r.id }))}
              >
                Accept
              </button>
              <button
                type="button"
                className="button small secondary"
                aria-label={`Decline ${r.from.username}`}
                onClick={act(() => rest.deleteFriendRequest({ requestId: r.id }))}
              >
                Decline
              </button>
            </>
          )}
        </RequestList>
      )}
      {outgoing.length > 0 && (
        <RequestList title={`Outgoing — ${outgoing.length}`} requests={outgoing} who={(r) => r.to}>
          {(r) => (
            <button
              type="button"
              className="button small secondary"
              aria-label={`Cancel request to ${r.to.username}`}
              onClick={act(() => rest.deleteFriendRequest({ requestId: r.id }))}
            >
              Cancel
            </button>
          )}
        </RequestList>
      )}
    </>
  );
}

function RequestList({
  title,
  requests,
  who,
  children,
}: {
  title: string;
  requests: FriendRequest[];
  who: (r: FriendRequest) => UserRef;
  children: (r: FriendRequest) => React.ReactNode;
}) {
  return (
    <>
      <h2 className="list-title">{title}</h2>
      <ul className="people-list" aria-label={title}>
        {requests.map((r) => (
          <li key={r.id} className="person-row">
            <ProfileTrigger userId={who(r).id} label={who(r).username}>
              <Avatar id={who(r).id} name={who(r).username} avatar={who(r).avatar} />
            </ProfileTrigger>
            <span className="person-name">{who(r).username}</span>
            {children(r)}
          </li>
        ))}
      </ul>
    </>
  );
}
