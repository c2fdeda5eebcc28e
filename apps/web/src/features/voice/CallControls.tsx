import { Icon } from '../../ui/Icon';
import { voice } from './voice-controller';
import { useLocalVoice } from './voice-state';

/** Mute and deafen toggles, the same in the voice panel and the call bar. */
export function MuteDeafenButtons() {
  const muted = useLocalVoice((s) => s.muted);
  const deafened = useLocalVoice((s) => s.deafened);
  return (
    <>
      <button
        type="button"
        className={`icon-button${muted ? ' danger-on' : ''}`}
        aria-label={muted ? 'Unmute' : 'Mute'}
        aria-pressed={muted}
        title={muted ? 'Unmute' : 'Mute'}
        onClick={() => voice.setMuted(!muted)}
      >
        <Icon name={muted ? 'micOff' : 'mic'} />
      </button>
      <button
        type="button"
        className={`icon-button${deafened ? ' danger-on' : ''}`}
        aria-label={deafened ? 'Undeafen' : 'Deafen'}
        aria-pressed={deafened}
        title={deafened ? 'Undeafen' : 'Deafen'}
        onClick={() => voice.setDeafened(!deafened)}
      >
        <Icon name={deafened ? 'headphonesOff' : 'headphones'} />
      </button>
    </>
  );
}

/** What the media engine says of the connection, in words. */
export function useConnectionText(): string {
  return useLocalVoice((s) => {
    const media = s.media;
    if (!media || media.status === 'starting' || media.status === 'idle') return 'Connecting…';
    if (media.error) return 'No microphone';
    const peers = Object.values(media.peers);
    if (peers.some((p) => p.state === 'failed')) return 'Connection failed';
    if (peers.some((p) => p.state === 'reconnecting')) return 'Reconnecting…';
    if (peers.some((p) => p.state === 'connecting')) return 'Connecting…';
    return 'Voice connected';
  });
}
