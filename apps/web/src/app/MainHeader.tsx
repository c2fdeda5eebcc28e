import { useState } from 'react';
import { useNavigate } from 'react-router';
import { PinsButton } from '../features/pins/PinsButton';
import { SearchBox } from '../features/search/SearchBox';
import { InviteDialog } from '../features/servers/InviteDialog';
import { useMemberColumn } from '../features/servers/member-column-state';
import { voice } from '../features/voice/voice-controller';
import { useLocalVoice } from '../features/voice/voice-state';
import { Icon, type IconName } from '../ui/Icon';
import { useChat } from './hooks';
import { homePath, usePlace } from './routes';

/** The bar above the conversation: where you are, "Generate Invite", and the way to friends. */
export function MainHeader({ onOpenNavigation }: { onOpenNavigation: () => void }) {
  const { home, serverId, channelId } = usePlace();
  const navigate = useNavigate();
  const [inviting, setInviting] = useState(false);
  const serverName = useChat((s) => (serverId ? s.servers[serverId]?.name : undefined));
  const channel = useChat((s) => (channelId ? s.channels[channelId] : undefined));
  const meId = useChat((s) => s.me?.id);
  const members = useMemberColumn();

  const inCall = useLocalVoice((s) => s.room?.kind === 'call');
  const dmPeer = channel?.type === 'dm' ? channel.recipients?.find((r) => r.id !== meId) : undefined;

  let title = 'Friends';
  let icon: IconName = 'friends';
  if (channel?.type === 'dm') {
    title = dmPeer?.username ?? channel.name;
    icon = 'at';
  } else if (channel) {
    title = channel.name;
    icon = channel.type === 'voice' ? 'speaker' : 'hash';
  }

  return (
    <header className="main-header">
      <button
        type="button"
        className="icon-button nav-toggle"
        aria-label="Open navigation"
        onClick={onOpenNavigation}
      >
        <Icon name="menu" />
      </button>
      <h1 className="main-title">
        <span className="title-icon">
          <Icon name={icon} />
        </span>
        <span>{title}</span>
        {!home && serverName && <span className="title-server">{serverName}</span>}
      </h1>
      <div className="header-actions">
        {channel && channel.type !== 'voice' && <PinsButton channelId={channel.id} />}
        <SearchBox />
        {dmPeer && (
          <button
            type="button"
            className="icon-button"
            aria-label={`Call ${dmPeer.username}`}
            title={inCall ? 'You are in a call' : `Call ${dmPeer.username}`}
            disabled={inCall}
            onClick={() => void voice.call(dmPeer.id)}
          >
            <Icon name="phone" />
          </button>
        )}
        {!home && (
          <button
            type="button"
            className="icon-button member-toggle"
            aria-label={members.open ? 'Hide member list' : 'Show member list'}
            aria-pressed={members.open}
            title={members.open ? 'Hide member list' : 'Show member list'}
            onClick={members.toggle}
          >
            <Icon name="members" />
          </button>
        )}
        <button type="button" className="button small" onClick={() => setInviting(true)}>
          Generate Invite
        </button>
        <button type="button" className="icon-button" aria-label="Friends" onClick={() => navigate(homePath)}>
          <Icon name="friends" />
        </button>
      </div>
      {inviting && <InviteDialog {...(serverId ? { serverId } : {})} onClose={() => setInviting(false)} />}
    </header>
  );
}
