import { useChat } from '../../app/hooks';
import { Icon } from '../../ui/Icon';
import { MuteDeafenButtons, useConnectionText } from './CallControls';
import { voice } from './voice-controller';
import { useLocalVoice } from './voice-state';

/** Above the user panel while I am in a voice channel: where, how it connects, mute, deafen, leave. */
export function VoicePanel() {
  const room = useLocalVoice((s) => s.room);
  const channelId = room?.kind === 'channel' ? room.channelId : undefined;
  const channel = useChat((s) => (channelId ? s.channels[channelId] : undefined));
  const serverName = useChat((s) => (channel?.serverId ? s.servers[channel.serverId]?.name : undefined));
  const status = useConnectionText();
  if (!channelId) return null;
  return (
    <section className="voice-panel" aria-label="Voice connection">
      <div className="voice-panel-text">
        <span className={`voice-status${status === 'Voice connected' ? ' ok' : ''}`} role="status">
          {status}
        </span>
        <span className="voice-where">
          {channel?.name ?? 'Voice'}
          {serverName ? ` / ${serverName}` : ''}
        </span>
      </div>
      <MuteDeafenButtons />
      <button
        type="button"
        className="icon-button danger"
        aria-label="Leave voice"
        title="Leave voice"
        onClick={() => void voice.leaveChannel()}
      >
        <Icon name="phoneOff" />
      </button>
    </section>
  );
}
