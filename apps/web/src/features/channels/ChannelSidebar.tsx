import { useState } from 'react';
import { useNavigate } from 'react-router';
import { rest } from '../../app/client';
import { useChat, useChatShallow } from '../../app/hooks';
import { homePath } from '../../app/routes';
import { ConfirmDialog } from '../../ui/ConfirmDialog';
import { Icon } from '../../ui/Icon';
import { ServerSettingsDialog } from '../servers/ServerSettingsDialog';
import { MenuButton } from '../unread/MenuButton';
import { useNotificationMenu } from '../unread/use-notification-menu';
import { ChannelDialog } from './ChannelDialog';
import { ChannelRow } from './ChannelRow';

/** The selected server's name (with a settings button for the owner) and its text and voice channels. */
export function ChannelSidebar({ serverId }: { serverId: string }) {
  const server = useChat((s) => s.servers[serverId]);
  const isOwner = useChat((s) => s.servers[serverId]?.ownerId === s.me?.id);
  const channels = useChatShallow((s) =>
    (s.servers[serverId]?.channelIds ?? []).map((id) => s.channels[id]).filter((c) => c !== undefined),
  );
  const navigate = useNavigate();
  const [dialog, setDialog] = useState<'settings' | 'create' | 'leave' | null>(null);
  const menu = useNotificationMenu({ kind: 'server', id: serverId, name: server?.name ?? '' });
  if (!server) return <div className="sidebar-body" />;
  const text = channels.filter((c) => c.type === 'text');
  const voice = channels.filter((c) => c.type === 'voice');
  const perms = server.myPermissions;
  return (
    <>
      <div className="sidebar-head">
        <h2 className="sidebar-title" title={server.name}>
          {server.name}
        </h2>
        <MenuButton
          label={`Notifications for ${server.name}`}
          open={menu.open}
          onOpen={menu.toggleBelow}
          className="icon-button"
        />
        {menu.menu}
        {isOwner ? (
          <button
            type="button"
            className="icon-button"
            aria-label="Server settings"
            title="Server settings"
            onClick={() => setDialog('settings')}
          >
            <Icon name="gear" />
          </button>
        ) : (
          <button
            type="button"
            className="icon-button"
            aria-label="Leave server"
            title="Leave server"
            onClick={() => setDialog('leave')}
          >
            <Icon name="leave" />
          </button>
        )}
      </div>
      <div className="sidebar-body">
        <div className="section-head">
          <h3>Text channels</h3>
          {perms.createChannel && (
            <button
              type="button"
              className="icon-button small"
              aria-label="Create channel"
              title="Create channel"
              onClick={() => setDialog('create')}
            >
              <Icon name="plus" size={16} />
            </button>
          )}
        </div>
        <ul className="channel-list" aria-label="Text channels">
          {text.map((c) => (
            <ChannelRow key={c.id} channel={c} permissions={perms} />
          ))}
        </ul>
        {voice.length > 0 && (
          <>
            <div className="section-head">
              <h3>Voice channels</h3>
            </div>
            <ul className="channel-list" aria-label="Voice channels">
              {voice.map((c) => (
                <ChannelRow key={c.id} channel={c} permissions={perms} />
              ))}
            </ul>
          </>
        )}
      </div>
      {dialog === 'settings' && <ServerSettingsDialog serverId={serverId} onClose={() => setDialog(null)} />}
      {dialog === 'create' && <ChannelDialog serverId={serverId} onClose={() => setDialog(null)} />}
      {dialog === 'leave' && (
        <ConfirmDialog
          title="Leave server"
          message={`Leave "${server.name}"? You will need a new invite to come back.`}
          confirmLabel="Leave server"
          onConfirm={async () => {
            await rest.removeMember({ serverId, userId: '@me' });
            navigate(homePath);
          }}
          onClose={() => setDialog(null)}
        />
      )}
    </>
  );
}
