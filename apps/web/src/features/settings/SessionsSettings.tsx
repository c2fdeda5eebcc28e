import type { LoginSession } from '@decentra/protocol';
import { useCallback, useEffect, useState } from 'react';
import { rest } from '../../app/client';
import { errorText } from '../../ui/error-text';
import { relativeTime } from '../../ui/format';

/** Where I am logged in: browser, system, address, last activity; log out any other one. */
export function SessionsSettings() {
  const [sessions, setSessions] = useState<LoginSession[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    try {
      setSessions(await rest.listSessions());
    } catch (err) {
      setError(errorText(err));
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  const act = async (action: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
      await load();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  const others = sessions?.filter((s) => !s.current).length ?? 0;
  return (
    <>
      <p className="muted">
        Every browser and app logged in to your account. Log out the ones you do not recognise, and change
        your password.
      </p>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {!sessions && !error && <p role="status">Loading…</p>}
      {sessions && (
        <ul className="session-list" aria-label="Sessions">
          {sessions.map((s) => (
            <li key={s.id} className="session-row" aria-label={`${s.browser} · ${s.os}`}>
              <div className="session-info">
                <span className="session-name">
                  {s.browser} · {s.os}
                  {s.current && <span className="badge ok">This device</span>}
                </span>
                <span className="muted small-text">
                  {s.address} · {s.current ? 'active now' : `last active ${relativeTime(s.lastActiveAt)}`}
                </span>
              </div>
              {!s.current && (
                <button
                  type="button"
                  className="button small secondary"
                  disabled={busy}
                  onClick={() => void act(() => rest.revokeSession({ sessionId: s.id }))}
                >
                  Log out
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {others > 0 && (
        <div className="form-actions">
          <button
            type="button"
            className="button danger"
            disabled={busy}
            onClick={() => void act(() => rest.revokeOtherSessions())}
          >
            Log out all other sessions
          </button>
        </div>
      )}
    </>
  );
}
