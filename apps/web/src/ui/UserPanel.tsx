import { useState } from 'react';
import { logout } from '../app/client';
import { useChat } from '../app/hooks';
import { VoiceSettingsDialog } from '../features/voice/VoiceSettingsDialog';
import { Avatar } from './Avatar';
import { Icon } from './Icon';

/** Who is logged in, at the bottom of the side column, with Log out. */
export function UserPanel() {
  const me = useChat((s) => s.me);
  const connection = useChat((s) => s.connection);
  const [settings, setSettings] = useState(false);
  if (!me) return null;
  return (
    <div className="user-panel">
      <Avatar name={me.username} status={connection === 'ready' ? 'online' : 'offline'} />
      <span className="user-panel-name">{me.username}</span>
      <button
        type="button"
        className="icon-button"
        aria-label="Voice & audio settings"
        title="Voice & audio settings"
        onClick={() => setSettings(true)}
      >
        <Icon name="gear" />
      </button>
      <button type="button" className="button small secondary" onClick={() => void logout()}>
        Log out
      </button>
      {settings && <VoiceSettingsDialog onClose={() => setSettings(false)} />}
    </div>
  );
}
