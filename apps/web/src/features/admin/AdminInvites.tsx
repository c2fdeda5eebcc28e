import type { AdminInvite } from '@decentra/protocol';
import { useCallback, useEffect, useState } from 'react';
import { rest } from '../../app/client';
import { CopyField } from '../../ui/CopyField';
import { errorText } from '../../ui/error-text';
import { formatDate } from '../../ui/format';

/** Sign-up codes nobody has used yet: who made them and when; revoke one, or make a new one. */
export function AdminInvites() {
  const [invites, setInvites] = useState<AdminInvite[] | null>(null);
  const [created, setCreated] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    try {
      setInvites(await rest.adminListInvites());
    } catch (err) {
      setError(errorText(err));
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  const act = async (action: () => Promise<void>) => {
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

  return (
    <>
      <p className="muted">
        A sign-up code lets one person create an account. Codes people make from the app are listed here too,
        until they are used.
      </p>
      <div className="form-actions">
        <button
          type="button"
          className="button"
          disabled={busy}
          onClick={() => void act(async () => setCreated((await rest.createInvite()).code))}
        >
          Create a sign-up code
        </button>
      </div>
      {created && <CopyField label="New sign-up code" value={created} />}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {!invites && !error && <p role="status">Loading…</p>}
      {invites && invites.length === 0 && <p className="empty">No unused sign-up codes.</p>}
      {invites && invites.length > 0 && (
        <ul className="admin-list" aria-label="Unused sign-up codes">
          {invites.map((invite) => (
            <li key={invite.code} className="admin-row" aria-label={invite.code}>
              <div className="admin-row-main">
                <code className="invite-code">{invite.code}</code>
                <span className="muted small-text">
                  {invite.createdBy ? `By ${invite.createdBy.username}` : 'Creator unknown'} ·{' '}
                  {formatDate(invite.createdAt)}
                  {invite.expiresAt && ` · Expires ${formatDate(invite.expiresAt)}`}
                </span>
              </div>
              <div className="admin-row-actions">
                <button
                  type="button"
                  className="button small danger"
                  disabled={busy}
                  onClick={() =>
                    void act(async () => {
                      await rest.adminRevokeInvite({ code: invite.code });
                      if (created === invite.code) setCreated(null);
                    })
                  }
                >
                  Revoke
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
