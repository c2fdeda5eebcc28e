import { NavLink } from 'react-router';
import { useChat, useChatShallow } from '../../app/hooks';
import { dmPath, homePath, usePlace } from '../../app/routes';
import { Avatar } from '../../ui/Avatar';
import { Icon } from '../../ui/Icon';
import { ProfileTrigger } from '../profile/ProfileTrigger';
import { MentionBadge } from '../unread/MentionBadge';
import { MenuButton } from '../unread/MenuButton';
import { rowLabel } from '../unread/unread-state';
import { badgeClass, useChannelBadge } from '../unread/use-badges';
import { useNotificationMenu } from '../unread/use-notification-menu';

/** Home column: the way to Friends, and the DM list with presence. */
export function DmSidebar() {
  const dmIds = useChatShallow((s) => s.dmIds);
  const { channelId } = usePlace();
  return (
    <>
      <div className="sidebar-head">
        <h2 className="sidebar-title">Direct Messages</h2>
      </div>
      <div className="sidebar-body">
        <NavLink to={homePath} end className={`channel-link friends-link${channelId ? '' : ' active'}`}>
          <Icon name="friends" /> Friends
        </NavLink>
        <div className="section-head">
          <h3>Direct messages</h3>
        </div>
        {dmIds.length === 0 && (
          <p className="muted small-text">No conversations yet. Open one from Friends.</p>
        )}
        <ul className="channel-list" aria-label="Direct messages">
          {dmIds.map((id) => (
            <DmRow key={id} id={id} active={channelId === id} />
          ))}
        </ul>
      </div>
    </>
  );
}

function DmRow({ id, active }: { id: string; active: boolean }) {
  const other = useChat((s) => s.channels[id]?.recipients?.find((r) => r.id !== s.me?.id));
  const status = useChat((s) => (other ? (s.presence[other.id] ?? 'offline') : 'offline'));
  // Presence is told to friends only: an ex-friend's dot would be frozen at its last value.
  const friend = useChat((s) => (other ? s.friends[other.id] !== undefined : false));
  const name = other?.username ?? 'Unknown';
  const badge = useChannelBadge(id);
  const menu = useNotificationMenu({ kind: 'dm', id, name });
  return (
    <li className={`channel-row${active ? ' active' : ''}`}>
      {other && (
        <ProfileTrigger userId={other.id} label={name}>
          <Avatar id={other.id} name={name} avatar={other.avatar} {...(friend ? { status } : {})} />
        </ProfileTrigger>
      )}
      <NavLink
        to={dmPath(id)}
        className={`channel-link${badgeClass(badge)}`}
        aria-label={rowLabel(friend ? `${name} (${status})` : name, badge)}
        aria-current={active ? 'page' : undefined}
        onContextMenu={menu.onContextMenu}
      >
        {!other && <Avatar id={id} name={name} />}
        <span className="channel-name">{name}</span>
        <MentionBadge count={badge.mentions} />
      </NavLink>
      <MenuButton label={`Notifications for ${name}`} open={menu.open} onOpen={menu.toggleBelow} />
      {menu.menu}
    </li>
  );
}
