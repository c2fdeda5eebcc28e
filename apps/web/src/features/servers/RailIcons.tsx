import { avatarUrl } from '@decentra/protocol';
import { NavLink } from 'react-router';
import { useChat } from '../../app/hooks';
import { channelPath, homePath, usePlace } from '../../app/routes';
import { initials } from '../../ui/Avatar';
import { Icon } from '../../ui/Icon';
import { MentionBadge } from '../unread/MentionBadge';
import { mentionLabel } from '../unread/unread-state';
import { useHomeBadge, useServerBadge } from '../unread/use-badges';
import { useNotificationMenu } from '../unread/use-notification-menu';

const HOME = 'Direct Messages / Friends';

/** Home: DMs and friends, with the sum of the unread DM messages. */
export function RailHome({ active }: { active: boolean }) {
  const badge = useHomeBadge();
  const label = badge.mentions > 0 ? `${HOME}, ${mentionLabel(badge.mentions)}` : HOME;
  return (
    <div className="rail-item">
      <NavLink
        to={homePath}
        className={`rail-icon home${active ? ' active' : ''}`}
        aria-label={label}
        title={HOME}
      >
        <Icon name="chat" size={24} />
      </NavLink>
      <MentionBadge count={badge.mentions} className="rail-badge" />
    </div>
  );
}

/**
 * A server's round icon: a white pip on the left while one of its channels is unread, the sum of
 * its mentions in a red pill, dimmed while muted; right click opens its notification rules.
 */
export function RailServer({ id }: { id: string }) {
  const name = useChat((s) => s.servers[id]?.name ?? '');
  const icon = useChat((s) => s.servers[id]?.icon);
  const { serverId } = usePlace();
  const active = serverId === id;
  const badge = useServerBadge(id);
  const menu = useNotificationMenu({ kind: 'server', id, name });
  const state = badge.muted ? ', muted' : badge.unread ? ', unread' : '';
  const mentions = badge.mentions > 0 ? `, ${mentionLabel(badge.mentions)}` : '';
  return (
    <div className={`rail-item${badge.muted ? ' is-muted' : ''}`}>
      {badge.unread && !active && <span className="rail-pip" aria-hidden="true" />}
      <NavLink
        to={channelPath(id)}
        className={`rail-icon${active ? ' active' : ''}${icon ? ' has-image' : ''}`}
        aria-label={`${name}${state}${mentions}`}
        title={name}
        aria-current={active ? 'page' : undefined}
        onContextMenu={menu.onContextMenu}
      >
        <ServerIcon name={name} icon={icon} />
      </NavLink>
      <MentionBadge count={badge.mentions} className="rail-badge" />
      {menu.menu}
    </div>
  );
}

/** A server's picture, or the initials of its name. */
export function ServerIcon({ name, icon }: { name: string; icon: string | undefined }) {
  return icon ? (
    <img className="server-icon-image" src={avatarUrl(icon)} alt="" draggable={false} />
  ) : (
    <span aria-hidden="true">{initials(name)}</span>
  );
}
