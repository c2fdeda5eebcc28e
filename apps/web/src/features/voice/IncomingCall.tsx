import type { UserRef } from '@decentra/protocol';
import { useEffect } from 'react';
import { useChat } from '../../app/hooks';
import { Avatar } from '../../ui/Avatar';
import { Icon } from '../../ui/Icon';
import { useModal } from '../../ui/use-modal';
import { useCallNotification } from '../notifications/call-notification';
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
  const volume = notifications.volume;
  useEffect(() => (ringing ? loopSound(sound, volume) : undefined), [ringing, sound, volume]);
  useCallNotification(ringing ? { callId: call.callId, caller: call.caller.username } : undefined);
  if (!ringing) return null;
  return <IncomingCallDialog key={call.callId} callId={call.callId} caller={call.caller} />;
}

/**
 * A modal dialog, so that it comes above any dialog already open (server settings…) instead of
 * under its backdrop, where it could not be answered.
 */
function IncomingCallDialog({ callId, caller }: { callId: string; caller: UserRef }) {
  const ref = useModal();
  return (
    <dialog
      ref={ref}
      className="incoming-call"
      role="alertdialog"
      aria-label={`Incoming call from ${caller.username}`}
      // Escape must not decline by accident: the buttons answer.
      onCancel={(e) => e.preventDefault()}
    >
      <Avatar id={caller.id} name={caller.username} avatar={caller.avatar} />
      <div className="incoming-call-text">
        <strong>{caller.username}</strong>
        <span>is calling you…</span>
      </div>
      <button
        type="button"
        className="button small danger"
        aria-label="Decline call"
        onClick={() => void voice.decline(callId)}
      >
        <Icon name="phoneOff" size={18} /> Decline
      </button>
      <button
        type="button"
        className="button small ok"
        aria-label="Accept call"
        onClick={() => void voice.accept(callId)}
      >
        <Icon name="phone" size={18} /> Accept
      </button>
    </dialog>
  );
}
