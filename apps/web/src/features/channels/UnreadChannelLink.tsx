import type { Channel } from '@decentra/protocol';
import { NavLink } from 'react-router';
import { channelPath } from '../../app/routes';
import { Icon } from '../../ui/Icon';
import { MentionBadge } from '../unread/MentionBadge';
import { MenuButton } from '../unread/MenuButton';
import { rowLabel } from '../unread/unread-state';
import { badgeClass, useChannelBadge } from '../unread/use-badges';
import { useNotificationMenu } from '../unread/use-notification-menu';

/**
 * A text channel's link as unread state shows it: bold and white when unread, dimmed when read
 * or muted, the mention pill; right click or "…" opens its notification rules.
 */
export function UnreadChannelLink({ channel, active }: { channel: Channel; active: boolean }) {
  const badge = useChannelBadge(channel.id);
  const menu = useNotificationMenu({ kind: 'channel', id: channel.id, name: channel.name });
  return (
    <>
      <NavLink
        to={channelPath(channel.serverId ?? '', channel.id)}
        className={`channel-link${badgeClass(badge)}`}
        aria-label={rowLabel(channel.name, badge)}
        aria-current={active ? 'page' : undefined}
        onContextMenu={menu.onContextMenu}
      >
        <span className="channel-icon" aria-hidden="true">
          <Icon name="hash" size={18} />
        </span>
        <span className="channel-name">{channel.name}</span>
        <MentionBadge count={badge.mentions} />
      </NavLink>
      <MenuButton label={`Notifications for ${channel.name}`} open={menu.open} onOpen={menu.toggleBelow} />
      {menu.menu}
    </>
  );
}
