import { useEffect, useRef } from 'react';
import { useNavigate } from 'react-router';
import { isAttentive, useAttention } from '../../app/attention';
import { chat, useAuth } from '../../app/client';
import { useTabBadge } from '../unread/use-tab-badge';
import { playSound } from '../voice/sounds';
import { showPopup } from './browser-popups';
import { MessageNotifier } from './message-notifier';
import { dropPush } from './push-subscription';
import { isOpenMessage } from './worker-messages';

/**
 * Mounted while logged in, on every page: turns new messages into popups and sounds (see
 * MessageNotifier), keeps the tab's title and icon counting, routes the clicks on the service worker's notifications, and drops this
 * browser's push subscription on logging out. Renders nothing.
 */
export function NotificationController() {
  const navigate = useNavigate();
  // Which channel is on screen is the conversation's to say (useMarkRead in ChatView).
  useTabBadge();
  const go = useRef(navigate);
  useEffect(() => {
    go.current = navigate;
  }, [navigate]);

  useEffect(() => {
    const session = chat();
    const notifier = new MessageNotifier({
      state: () => session.store.getState(),
      reader: () => ({ attentive: isAttentive(), viewing: useAttention.getState().viewing }),
      show: showPopup,
      playSound: (sound, volume) => playSound(sound, 'message', volume),
      open: (path) => {
        window.focus();
        void go.current(path);
      },
      now: Date.now,
      setTimer: (run, ms) => void window.setTimeout(run, ms),
    });
    return session.onEvent('message_create', (message) => notifier.onMessage(message));
  }, []);

  // Logged out (by choice or by the server): no more pushes for this account in this browser.
  useEffect(
    () =>
      useAuth.subscribe((now, before) => {
        if (before.status === 'authenticated' && now.status !== 'authenticated')
          void dropPush().catch(() => undefined);
      }),
    [],
  );

  useEffect(() => {
    const worker = typeof navigator === 'undefined' ? undefined : navigator.serviceWorker;
    if (!worker) return;
    const onMessage = (e: MessageEvent) => {
      if (isOpenMessage(e.data)) void go.current(e.data.url);
    };
    worker.addEventListener('message', onMessage);
    worker.startMessages();
    return () => worker.removeEventListener('message', onMessage);
  }, []);

  return null;
}
