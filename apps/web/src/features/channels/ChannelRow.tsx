import type { Channel, Permissions } from '@decentra/protocol';
import { useState } from 'react';
import { NavLink, useNavigate } from 'react-router';
import { rest } from '../../app/client';
import { useChat } from '../../app/hooks';
import { channelPath, usePlace } from '../../app/routes';
import { ConfirmDialog } from '../../ui/ConfirmDialog';
import { Icon } from '../../ui/Icon';
import { VoiceMembers } from '../voice/VoiceMembers';
import { voice } from '../voice/voice-controller';
import { useLocalVoice } from '../voice/voice-state';
import { ChannelDialog } from './ChannelDialog';
import { UnreadChannelLink } from './UnreadChannelLink';

/** One channel: a link, and rename/delete buttons for those allowed. */
export function ChannelRow({ channel, permissions }: { channel: Channel; permissions: Permissions }) {
  const { channelId } = usePlace();
  const navigate = useNavigate();
  const [dialog, setDialog] = useState<'rename' | 'delete' | 'leave-call' | null>(null);
  const serverId = channel.serverId ?? '';
  const active = channelId === channel.id;
  const inCall = useLocalVoice((s) => s.room?.kind === 'call');
  const callPeer = useChat((s) => {
    const room = useLocalVoice.getState().room;
    const call = room?.kind === 'call' ? s.calls[room.callId] : undefined;
    return call ? (call.caller.id === s.me?.id ? call.callee : call.caller).username : undefined;
  });
  const isVoice = channel.type === 'voice';
  return (
    <li className={`channel-row${active ? ' active' : ''}${isVoice ? ' voice' : ''}`}>
      {isVoice ? (
        <NavLink
          to={channelPath(serverId, channel.id)}
          className="channel-link"
          aria-current={active ? 'page' : undefined}
          onClick={() => {
            // Clicking a voice channel joins it (one at a time; a call is hung up after asking).
            if (inCall) setDialog('leave-call');
            else void voice.joinChannel(channel.id);
          }}
        >
          <span className="channel-icon" aria-hidden="true">
            <Icon name="speaker" size={18} />
          </span>
          <span className="channel-name">{channel.name}</span>
        </NavLink>
      ) : (
        <UnreadChannelLink channel={channel} active={active} />
      )}
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
      {isVoice && <VoiceMembers channelId={channel.id} serverId={serverId} />}
      {dialog === 'leave-call' && (
        <ConfirmDialog
          title="Leave the call?"
          message={`You are in a call${callPeer ? ` with ${callPeer}` : ''}. Hang up and join ${channel.name}?`}
          confirmLabel="Hang up and join"
          onConfirm={() => voice.joinChannel(channel.id)}
          onClose={() => setDialog(null)}
        />
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
