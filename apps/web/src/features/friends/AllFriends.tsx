import type { UserRef } from '@decentra/protocol';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { chat, rest } from '../../app/client';
import { useChat } from '../../app/hooks';
import { dmPath } from '../../app/routes';
import { Avatar } from '../../ui/Avatar';
import { ConfirmDialog } from '../../ui/ConfirmDialog';
import { errorText } from '../../ui/error-text';
import { Icon } from '../../ui/Icon';
import { ProfileTrigger } from '../profile/ProfileTrigger';
import { voice } from '../voice/voice-controller';
import { useLocalVoice } from '../voice/voice-state';

/** Every friend with presence, a Message button and Remove. */
export function AllFriends({ onAdd }: { onAdd: () => void }) {
  const friends = useChat((s) => s.friends);
  const presence = useChat((s) => s.presence);
  const navigate = useNavigate();
  const [removing, setRemoving] = useState<UserRef | null>(null);
  const [error, setError] = useState<string | null>(null);
  const inCall = useLocalVoice((s) => s.room?.kind === 'call');
  const list = Object.values(friends).sort((a, b) => a.username.localeCompare(b.username));
  const online = list.filter((f) => presence[f.id] === 'online').length;

  const message = async (friend: UserRef) => {
    try {
      const dm = await chat().openDm(friend.id);
      navigate(dmPath(dm.id));
    } catch (err) {
      setError(errorText(err));
    }
  };

  if (list.length === 0) {
    return (
      <div className="empty">
        <p>No friends yet.</p>
        <button type="button" className="button" onClick={onAdd}>
          Add a friend
        </button>
      </div>
    );
  }
  return (
    <>
      <h2 className="list-title">
        All friends — {list.length} ({online} online)
      </h2>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <ul className="people-list" aria-label="All friends">
        {list.map((f) => {
          const status = presence[f.id] ?? 'offline';
          return (
            <li key={f.id} className="person-row">
              <ProfileTrigger userId={f.id} label={f.username}>
                <Avatar id={f.id} name={f.username} avatar={f.avatar} status={status} />
              </ProfileTrigger>
              <span className="person-name">
                {f.username}
                <span className="person-status">{status === 'online' ? 'Online' : 'Offline'}</span>
              </span>
              <button
                type="button"
                className="button small"
                aria-label={`Message ${f.username}`}
                onClick={() => void message(f)}
              >
                Message
              </button>
              <button
                type="button"
                className="icon-button"
                aria-label={`Call ${f.username}`}
                title={inCall ? 'You are in a call' : `Call ${f.username}`}
                disabled={inCall}
                onClick={() => void voice.call(f.id)}
              >
                <Icon name="phone" />
              </button>
              <button
                type="button"
                className="button small secondary"
                aria-label={`Remove friend ${f.username}`}
                onClick={() => setRemoving(f)}
              >
                Remove
              </button>
            </li>
          );
        })}
      </ul>
      {removing && (
        <ConfirmDialog
          title="Remove friend"
          message={`Remove ${removing.username} from your friends?`}
          confirmLabel="Remove friend"
          onConfirm={() => rest.removeFriend({ userId: removing.id })}
          onClose={() => setRemoving(null)}
        />
      )}
    </>
  );
}
