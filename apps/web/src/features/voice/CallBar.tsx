import { useEffect, useState } from 'react';
import { useChat } from '../../app/hooks';
import { Avatar } from '../../ui/Avatar';
import { Icon } from '../../ui/Icon';
import { MuteDeafenButtons, useConnectionText } from './CallControls';
import { formatDuration } from './call-duration';
import { voice } from './voice-controller';
import { useLocalVoice } from './voice-state';

/**
 * While I call someone or talk with them: who, how long, mute, deafen, hang up. It sits above
 * the conversation on every page, so moving around the app never loses the call.
 */
export function CallBar() {
  const room = useLocalVoice((s) => s.room);
  const callId = room?.kind === 'call' ? room.callId : undefined;
  const call = useChat((s) => (callId ? s.calls[callId] : undefined));
  const meId = useChat((s) => s.me?.id);
  const status = useConnectionText();
  const now = useSecondTicks(call?.state === 'active');
  if (!call) return null;
  const other = call.caller.id === meId ? call.callee : call.caller;
  const ringing = call.state === 'ringing';
  const since = call.startedAt ? Date.parse(call.startedAt) : now;
  return (
    <section className={`call-bar${ringing ? ' ringing' : ''}`} aria-label="Call">
      <Avatar id={other.id} name={other.username} avatar={other.avatar} />
      <div className="call-bar-text">
        <strong>{ringing ? `Calling ${other.username}…` : other.username}</strong>
        <span role="status">
          {ringing ? 'Ringing' : `${status} · ${formatDuration((now - since) / 1000)}`}
        </span>
      </div>
      {!ringing && <MuteDeafenButtons />}
      <button
        type="button"
        className="button small danger"
        aria-label={ringing ? 'Cancel call' : 'Hang up'}
        onClick={() => void voice.hangUp()}
      >
        <Icon name="phoneOff" size={18} /> {ringing ? 'Cancel' : 'Hang up'}
      </button>
    </section>
  );
}

/** The current time, refreshed every second while `on`. */
function useSecondTicks(on: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!on) return;
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, [on]);
  return now;
}
