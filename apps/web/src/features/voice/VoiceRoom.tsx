import type { Channel } from '@decentra/protocol';
import { useChat, useChatShallow } from '../../app/hooks';
import { Avatar } from '../../ui/Avatar';
import { Icon } from '../../ui/Icon';
import { ProfileTrigger } from '../profile/ProfileTrigger';
import { MuteDeafenButtons, useConnectionText } from './CallControls';
import { voice } from './voice-controller';
import { isSpeaking, useLocalVoice } from './voice-state';

/** A voice channel's page: everyone in it as a tile, speaking ones ringed; join or leave. */
export function VoiceRoom({ channel }: { channel: Channel }) {
  const members = useChatShallow((s) => s.voice[channel.id] ?? []);
  const users = useChat((s) => s.users);
  const meId = useChat((s) => s.me?.id);
  const here = useLocalVoice((s) => s.room?.kind === 'channel' && s.room.channelId === channel.id);
  const media = useLocalVoice((s) => (here ? s.media : null));
  const error = useLocalVoice((s) => s.error);
  const status = useConnectionText();
  return (
    <div className="voice-room">
      <h2 className="voice-room-title">
        <Icon name="speaker" /> {channel.name}
      </h2>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {members.length === 0 ? (
        <p className="voice-room-empty">No one is here yet.</p>
      ) : (
        <ul className="voice-tiles" aria-label="People in this voice channel">
          {members.map((m) => {
            const name = users[m.userId]?.username ?? 'Someone';
            const speaking = isSpeaking(media, m, meId);
            return (
              <li key={m.userId} className={`voice-tile${speaking ? ' speaking' : ''}`}>
                <ProfileTrigger userId={m.userId} label={name}>
                  <Avatar id={m.userId} name={name} />
                </ProfileTrigger>
                <span>{name}</span>
                {m.muted && <Icon name={m.deafened ? 'headphonesOff' : 'micOff'} size={16} />}
              </li>
            );
          })}
        </ul>
      )}
      <div className="voice-room-actions">
        {here ? (
          <>
            <span role="status">{status}</span>
            <MuteDeafenButtons />
            <button type="button" className="button danger" onClick={() => void voice.leaveChannel()}>
              Leave voice
            </button>
          </>
        ) : (
          <button type="button" className="button ok" onClick={() => void voice.joinChannel(channel.id)}>
            Join voice
          </button>
        )}
      </div>
    </div>
  );
}
