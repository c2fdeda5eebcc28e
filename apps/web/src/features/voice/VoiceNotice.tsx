import { Icon } from '../../ui/Icon';
import { voice } from './voice-controller';
import { useLocalVoice } from './voice-state';

/** Why a call or a voice channel did not work (busy, full, no microphone), on any page. */
export function VoiceNotice() {
  const error = useLocalVoice((s) => s.error);
  const room = useLocalVoice((s) => s.room);
  // In a voice channel its page shows the reason; elsewhere this does.
  if (!error || room?.kind === 'channel') return null;
  return (
    <div className="voice-notice" role="alert">
      <span>{error}</span>
      <button
        type="button"
        className="icon-button small"
        aria-label="Dismiss"
        onClick={() => voice.clearError()}
      >
        <Icon name="close" size={16} />
      </button>
    </div>
  );
}
