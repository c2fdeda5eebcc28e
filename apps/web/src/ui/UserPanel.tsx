import { logout } from '../app/client';
import { useChat } from '../app/hooks';
import { Avatar } from './Avatar';

/** Who is logged in, at the bottom of the side column, with Log out. */
export function UserPanel() {
  const me = useChat((s) => s.me);
  const connection = useChat((s) => s.connection);
  if (!me) return null;
  return (
    <div className="user-panel">
      <Avatar name={me.username} status={connection === 'ready' ? 'online' : 'offline'} />
      <span className="user-panel-name">{me.username}</span>
      <button type="button" className="button small secondary" onClick={() => void logout()}>
        Log out
      </button>
    </div>
  );
}
