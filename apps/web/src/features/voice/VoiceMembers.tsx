import { useEffect } from 'react';
import { chat } from '../../app/client';
import { useChat, useChatShallow } from '../../app/hooks';
import { Avatar } from '../../ui/Avatar';
import { Icon } from '../../ui/Icon';
import { ProfileTrigger } from '../profile/ProfileTrigger';
import { isSpeaking, useLocalVoice } from './voice-state';

/**
 * Who is in a voice channel, under it in the sidebar, live for every member of the server, with
 * mute and deafen icons. The speaking ring comes from the audio itself, so it shows for the
 * people I am connected to: those in my own channel.
 */
export function VoiceMembers({ channelId, serverId }: { channelId: string; serverId: string }) {
  const members = useChatShallow((s) => s.voice[channelId] ?? []);
  const users = useChat((s) => s.users);
  const membersLoaded = useChat((s) => s.members[serverId] !== undefined);
  const nameMissing = members.some((m) => users[m.userId] === undefined);
  // Voice states carry ids; names of people I have not seen yet come with the member list.
  useEffect(() => {
    if (nameMissing && !membersLoaded)
      void chat()
        .loadMembers(serverId)
        .catch(() => undefined);
  }, [nameMissing, membersLoaded, serverId]);
  const meId = useChat((s) => s.me?.id);
  const mine = useLocalVoice((s) => s.room?.kind === 'channel' && s.room.channelId === channelId);
  const media = useLocalVoice((s) => (mine ? s.media : null));
  if (members.length === 0) return null;
  return (
    <ul className="voice-members" aria-label={`In voice: ${members.length}`}>
      {members.map((m) => {
        const name = users[m.userId]?.username ?? 'Someone';
        const speaking = isSpeaking(media, m, meId);
        return (
          <li
            key={m.userId}
            className={`voice-member${speaking ? ' speaking' : ''}`}
            data-speaking={speaking}
          >
            <ProfileTrigger userId={m.userId} label={name}>
              <Avatar id={m.userId} name={name} />
            </ProfileTrigger>
            <span className="voice-member-name">{name}</span>
            {m.muted && !m.deafened && (
              <span className="voice-flag" role="img" title="Muted" aria-label="muted">
                <Icon name="micOff" size={14} />
              </span>
            )}
            {m.deafened && (
              <span className="voice-flag" role="img" title="Deafened" aria-label="deafened">
                <Icon name="headphonesOff" size={14} />
              </span>
            )}
          </li>
        );
      })}
    </ul>
  );
}
