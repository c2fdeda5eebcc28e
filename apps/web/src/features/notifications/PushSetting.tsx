import { useEffect, useState } from 'react';
import { rest } from '../../app/client';
import { errorText } from '../../ui/error-text';
import { requestPermission, usePermission } from './permission';
import { currentSubscription, disablePush, enablePush, pushSupported } from './push-subscription';

type PushState = 'checking' | 'on' | 'off' | 'busy';

/**
 * "Push notifications when Decentra is closed": this browser subscribes to the server's Web Push
 * (a service worker shows them). Says plainly when the browser cannot, or notifications are blocked.
 */
export function PushSetting() {
  const supported = pushSupported();
  const permission = usePermission((s) => s.permission);
  const [state, setState] = useState<PushState>('checking');
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!supported) return;
    let live = true;
    currentSubscription().then(
      (s) => live && setState(s ? 'on' : 'off'),
      () => live && setState('off'),
    );
    return () => {
      live = false;
    };
  }, [supported]);

  const turn = async (on: boolean) => {
    setError(null);
    setState('busy');
    try {
      if (on) {
        if ((await requestPermission()) !== 'granted') {
          setState('off');
          return;
        }
        await enablePush(rest);
      } else {
        await disablePush(rest);
      }
      setState(on ? 'on' : 'off');
    } catch (err) {
      setError(`Could not turn push ${on ? 'on' : 'off'}: ${errorText(err)}`);
      setState((await currentSubscription().catch(() => null)) ? 'on' : 'off');
    }
  };

  const note = !supported
    ? 'This browser cannot receive push notifications.'
    : permission === 'denied'
      ? 'Notifications are blocked for this site: allow them in your browser’s site settings to use push.'
      : 'Messages that notify you arrive on this device even when no Decentra tab is open.';
  return (
    <div className="switch-setting">
      <label className="check">
        <input
          type="checkbox"
          role="switch"
          aria-checked={state === 'on'}
          checked={state === 'on'}
          disabled={!supported || permission === 'denied' || state === 'checking' || state === 'busy'}
          onChange={(e) => void turn(e.target.checked)}
        />
        <span>Push notifications when Decentra is closed</span>
      </label>
      <small className="hint">{note}</small>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
