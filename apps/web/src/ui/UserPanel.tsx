import { useLocation, useNavigate } from 'react-router';
import { logout } from '../app/client';
import { useChat } from '../app/hooks';
import { type ReturnState, settingsPath } from '../app/routes';
import { Avatar } from './Avatar';
import { Icon } from './Icon';

/** Who is logged in, at the bottom of the side column, with settings and Log out. */
export function UserPanel() {
  const me = useChat((s) => s.me);
  const connection = useChat((s) => s.connection);
  const navigate = useNavigate();
  const location = useLocation();
  if (!me) return null;
  return (
    <div className="user-panel">
      <Avatar id={me.id} name={me.username} status={connection === 'ready' ? 'online' : 'offline'} />
      <span className="user-panel-name">{me.username}</span>
      <button
        type="button"
        className="icon-button"
        aria-label="User settings"
        title="User settings"
        onClick={() =>
          navigate(settingsPath(), {
            state: { from: location.pathname + location.search } satisfies ReturnState,
          })
        }
      >
        <Icon name="gear" />
      </button>
      <button type="button" className="button small secondary" onClick={() => void logout()}>
        Log out
      </button>
    </div>
  );
}
