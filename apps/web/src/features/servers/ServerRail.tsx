import { useState } from 'react';
import { NavLink } from 'react-router';
import { useChat, useChatShallow } from '../../app/hooks';
import { channelPath, homePath, usePlace } from '../../app/routes';
import { initials } from '../../ui/Avatar';
import { Icon } from '../../ui/Icon';
import { AddServerDialog } from './AddServerDialog';

/** The left rail: home (DMs and friends), one round icon per server, and "Create server". */
export function ServerRail() {
  const order = useChatShallow((s) => s.serverOrder);
  const { home } = usePlace();
  const [adding, setAdding] = useState(false);
  return (
    <nav className="rail" aria-label="Servers">
      <NavLink
        to={homePath}
        className={`rail-icon home${home ? ' active' : ''}`}
        aria-label="Direct Messages / Friends"
        title="Direct Messages / Friends"
      >
        <Icon name="chat" size={24} />
      </NavLink>
      <div className="rail-sep" />
      <ul className="rail-list">
        {order.map((id) => (
          <li key={id}>
            <RailServer id={id} />
          </li>
        ))}
      </ul>
      <button
        type="button"
        className="rail-icon add"
        aria-label="Create server"
        title="Create or join a server"
        onClick={() => setAdding(true)}
      >
        <Icon name="plus" size={24} />
      </button>
      {adding && <AddServerDialog onClose={() => setAdding(false)} />}
    </nav>
  );
}

function RailServer({ id }: { id: string }) {
  const name = useChat((s) => s.servers[id]?.name ?? '');
  const { serverId } = usePlace();
  return (
    <NavLink
      to={channelPath(id)}
      className={`rail-icon${serverId === id ? ' active' : ''}`}
      aria-label={name}
      title={name}
      aria-current={serverId === id ? 'page' : undefined}
    >
      <span aria-hidden="true">{initials(name)}</span>
    </NavLink>
  );
}
