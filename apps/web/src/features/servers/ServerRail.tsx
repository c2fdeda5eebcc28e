import { useState } from 'react';
import { useChatShallow } from '../../app/hooks';
import { usePlace } from '../../app/routes';
import { Icon } from '../../ui/Icon';
import { AddServerDialog } from './AddServerDialog';
import { RailHome, RailServer } from './RailIcons';

/** The left rail: home (DMs and friends), one round icon per server, and "Create server". */
export function ServerRail() {
  const order = useChatShallow((s) => s.serverOrder);
  const { home } = usePlace();
  const [adding, setAdding] = useState(false);
  return (
    <nav className="rail" aria-label="Servers">
      <RailHome active={home} />
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
