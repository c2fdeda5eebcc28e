import { useState } from 'react';
import { requestPermission, usePermission } from './permission';
import './notifications.css';

const DISMISSED_KEY = 'decentra.notificationBanner';

function dismissed(): boolean {
  try {
    return localStorage.getItem(DISMISSED_KEY) === 'dismissed';
  } catch {
    return false;
  }
}

/**
 * Explains desktop notifications once the user is logged in, until they choose: "Enable" asks the
 * browser (from this click: a prompt needs a gesture), "Not now" is remembered for this browser.
 * Not shown once the browser has an answer, nor where it has no notifications.
 */
export function NotificationBanner() {
  const permission = usePermission((s) => s.permission);
  const [hidden, setHidden] = useState(dismissed);
  if (hidden || permission !== 'default') return null;
  const notNow = () => {
    try {
      localStorage.setItem(DISMISSED_KEY, 'dismissed');
    } catch {
      // Private mode without storage: hidden for this page only.
    }
    setHidden(true);
  };
  return (
    <section className="notification-banner" aria-label="Desktop notifications">
      <p>
        <strong>Get notified of new messages.</strong> Decentra can show a desktop notification when a friend
        writes to you or someone mentions you while this tab is in the background.
      </p>
      <div className="notification-banner-actions">
        <button type="button" className="button small secondary" onClick={notNow}>
          Not now
        </button>
        <button
          type="button"
          className="button small"
          onClick={() => {
            setHidden(true);
            void requestPermission();
          }}
        >
          Enable
        </button>
      </div>
    </section>
  );
}
