import type { Channel, Permissions } from '@decentra/protocol';
import { useState } from 'react';
import { NavLink, useNavigate } from 'react-router';
import { rest } from '../../app/client';
import { useChat } from '../../app/hooks';
import { channelPath, usePlace } from '../../app/routes';
import { ConfirmDialog } from '../../ui/ConfirmDialog';
import { Icon } from '../../ui/Icon';
import { ChannelDialog } from './ChannelDialog';

/** One channel: a link, and rename/delete buttons for those allowed. */
export function ChannelRow({ channel, permissions }: { channel: Channel; permissions: Permissions }) {
  const { channelId } = usePlace();
  const navigate = useNavigate();
  const [dialog, setDialog] = useState<'rename' | 'delete' | null>(null);
  const serverId = channel.serverId ?? '';
  const active = channelId === channel.id;
  const inVoice = useChat((s) => s.voice[channel.id]?.length ?? 0);
  return (
    <li className={`channel-row${active ? ' active' : ''}`}>
      <NavLink
        to={channelPath(serverId, channel.id)}
        className="channel-link"
        aria-current={active ? 'page' : undefined}
      >
        <span className="channel-icon" aria-hidden="true">
          <Icon name={channel.type === 'voice' ? 'speaker' : 'hash'} size={18} />
        </span>
        <span className="channel-name">{channel.name}</span>
        {channel.type === 'voice' && inVoice > 0 && (
          <span className="voice-count" role="status" aria-label={`${inVoice} in voice`}>
            {inVoice}
          </span>
        )}
      </NavLink>
      {permissions.editChannel && (
        <button
          type="button"
          className="icon-button small row-action"
          aria-label={`Rename channel ${channel.name}`}
          title="Rename"
          onClick={() => setDialog('rename')}
        >
          <Icon name="pencil" size={16} />
        </button>
      )}
      {permissions.deleteChannel && (
        <button
          type="button"
          className="icon-button small row-action"
          aria-label={`Delete channel ${channel.name}`}
          title="Delete"
          onClick={() => setDialog('delete')}
        >
          <Icon name="trash" size={16} />
        </button>
      )}
      {dialog === 'rename' && (
        <ChannelDialog serverId={serverId} channel={channel} onClose={() => setDialog(null)} />
      )}
      {dialog === 'delete' && (
        <ConfirmDialog
          title="Delete channel"
          message={`Delete #${channel.name} and all of its messages? This cannot be undone.`}
          confirmLabel="Delete channel"
          onConfirm={async () => {
            await rest.deleteChannel({ channelId: channel.id });
            if (active) navigate(channelPath(serverId));
          }}
          onClose={() => setDialog(null)}
        />
      )}
    </li>
  );
}
