import { useChat } from '../app/hooks';

/** Says so while the gateway is down or coming back; silent when all is well. */
export function ConnectionBanner() {
  const connection = useChat((s) => s.connection);
  if (connection === 'ready' || connection === 'idle') return null;
  const text =
    connection === 'connecting'
      ? 'Connecting…'
      : connection === 'reconnecting'
        ? 'Connection lost. Reconnecting… Messages you send now will go out when it is back.'
        : 'Disconnected.';
  return (
    <div className={`connection-banner ${connection}`} role="status" aria-live="polite">
      {text}
    </div>
  );
}
