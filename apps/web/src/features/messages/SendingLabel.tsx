import { useEffect, useState } from 'react';

/**
 * "Sending…" under a message on its way, or, while the send rate limit holds the queue,
 * "Sending in 3 s…" counting down to the time the server named.
 */
export function SendingLabel({ waitUntil }: { waitUntil: number | undefined }) {
  const [now, setNow] = useState(Date.now);
  const waiting = waitUntil !== undefined && waitUntil > now;
  useEffect(() => {
    if (!waiting) return;
    const timer = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(timer);
  }, [waiting]);
  const seconds = waitUntil === undefined ? 0 : Math.ceil((waitUntil - now) / 1000);
  return (
    <span className="message-state">
      {waiting && seconds > 0 ? `Sending in ${seconds} s… (rate limit)` : 'Sending…'}
    </span>
  );
}
