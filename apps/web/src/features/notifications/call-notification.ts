import { useEffect } from 'react';
import { isAttentive, useAttention } from '../../app/attention';
import { useChat } from '../../app/hooks';
import { showPopup } from './browser-popups';

/**
 * While a call rings and the page is not seen: a popup "<caller> is calling you" (tag `call`);
 * a click brings the window forward, where the incoming-call dialog is. It closes when the page
 * is seen again or the ringing ends.
 */
export function useCallNotification(ringing: { callId: string; caller: string } | undefined): void {
  const attentive = useAttention((a) => isAttentive(a));
  const enabled = useChat((s) => s.settings.notifications.enabled);
  const callId = ringing?.callId;
  const caller = ringing?.caller;
  useEffect(() => {
    if (!callId || caller === undefined || attentive || !enabled) return;
    const popup = showPopup({
      title: `${caller} is calling you`,
      body: 'Incoming call',
      tag: 'call',
      path: window.location.pathname,
      onClick: () => {
        window.focus();
        popup?.close();
      },
    });
    return () => popup?.close();
  }, [callId, caller, attentive, enabled]);
}
