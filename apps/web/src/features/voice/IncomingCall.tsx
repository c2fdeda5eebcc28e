import { useEffect } from 'react';
import { useChat } from '../../app/hooks';
import { Avatar } from '../../ui/Avatar';
import { Icon } from '../../ui/Icon';
import { loopSound } from './sounds';
import { voice } from './voice-controller';
import { useLocalVoice } from './voice-state';

/**
 * A friend is calling: their name, accept and decline, on whatever page I am, with the ring
 * sound from my settings until I answer, decline, or the call is missed.
 */
export function IncomingCall() {
  const meId = useChat((s) => s.me?.id);
  const call = useChat((s) =>
    Object.values(s.calls).find((c) => c.state === 'ringing' && c.callee.id === s.me?.id),
  );
  const inThisCall = useLocalVoice((s) => s.room?.kind === 'call' && s.room.callId === call?.callId);
  const notifications = useChat((s) => s.settings.notifications);
  const ringing = call !== undefined && !inThisCall && meId !== undefined;
  const sound = notifications.enabled && notifications.sounds ? notifications.callSound : 'none';
  useEffect(() => (ringing ? loopSound(sound) : undefined), [ringing, sound]);
  if (!ringing) return null;
  return (
    <section
      className="incoming-call"
      role="alertdialog"
      aria-label={`Incoming call from ${call.caller.username}`}
    >
      <Avatar name={call.caller.username} />
      <div className="incoming-call-text">
        <strong>{call.caller.username}</strong>
        <span>is calling you…</span>
      </div>
      <button
        type="button"
        className="button small danger"
        aria-label="Decline call"
        onClick={() => void voice.decline(call.callId)}
      >
        <Icon name="phoneOff" size={18} /> Decline
      </button>
      <button
        type="button"
        className="button small ok"
        aria-label="Accept call"
        onClick={() => void voice.accept(call.callId)}
      >
        <Icon name="phone" size={18} /> Accept
      </button>
    </section>
  );
}
