import type { AdminUser } from '@decentra/protocol';
import { useEffect, useRef, useState } from 'react';
import { rest } from '../../app/client';
import { useChat } from '../../app/hooks';
import { ConfirmDialog } from '../../ui/ConfirmDialog';
import { CopyField } from '../../ui/CopyField';
import { errorText } from '../../ui/error-text';
import { formatDate, relativeTime } from '../../ui/format';

const PAGE = 50;

/** What a password-reset request gave, per user: a mail on its way, or a link to hand over. */
type ResetOutcome = { delivery: 'mail' } | { delivery: 'link'; url: string };

/** Every account: search, page through, disable, promote, reset a password, delete. */
export function AdminUsers() {
  const meId = useChat((s) => s.me?.id);
  const [query, setQuery] = useState('');
  const [users, setUsers] = useState<AdminUser[] | null>(null);
  const [more, setMore] = useState(false);
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [resets, setResets] = useState<Record<string, ResetOutcome>>({});
  const [deleting, setDeleting] = useState<AdminUser | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  /** Answers to an older search are dropped (typing fires one per key). */
  const latest = useRef(0);

  useEffect(() => {
    const ticket = ++latest.current;
    const q = query.trim();
    rest.adminListUsers({ limit: PAGE, ...(q ? { q } : {}) }).then(
      (page) => {
        if (ticket !== latest.current) return;
        setUsers(page);
        setMore(page.length === PAGE);
        setError(null);
      },
      (err) => ticket === latest.current && setError(errorText(err)),
    );
  }, [query]);

  const loadMore = async () => {
    const last = users?.at(-1);
    if (!last) return;
    const ticket = latest.current;
    const q = query.trim();
    setLoadingMore(true);
    try {
      const page = await rest.adminListUsers({ limit: PAGE, after: last.username, ...(q ? { q } : {}) });
      if (ticket !== latest.current) return;
      setUsers((u) => [...(u ?? []), ...page.filter((p) => !u?.some((x) => x.id === p.id))]);
      setMore(page.length === PAGE);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setLoadingMore(false);
    }
  };

  const replace = (user: AdminUser) => setUsers((u) => u?.map((x) => (x.id === user.id ? user : x)) ?? null);

  const act = async (user: AdminUser, action: () => Promise<void>) => {
    setBusy(user.id);
    setError(null);
    try {
      await action();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(null);
    }
  };

  const update = (user: AdminUser, change: { disabled?: boolean; isAdmin?: boolean }) =>
    act(user, async () => replace(await rest.adminUpdateUser({ userId: user.id, ...change })));

  const reset = (user: AdminUser) =>
    act(user, async () => {
      const r = await rest.adminResetPassword({ userId: user.id });
      const outcome: ResetOutcome =
        r.delivery === 'link' && r.url ? { delivery: 'link', url: r.url } : { delivery: 'mail' };
      setResets((all) => ({ ...all, [user.id]: outcome }));
    });

  return (
    <>
      <label className="field search-field">
        <span>Search users</span>
        <input
          type="search"
          placeholder="Name or email"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
        />
      </label>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {!users && !error && <p role="status">Loading…</p>}
      {users && users.length === 0 && <p className="empty">No user matches “{query.trim()}”.</p>}
      {users && users.length > 0 && (
        <ul className="admin-list" aria-label="Users">
          {users.map((u) => {
            const outcome = resets[u.id];
            return (
              <li key={u.id} className="admin-row" aria-label={u.username}>
                <div className="admin-row-main">
                  <span className="admin-row-name">
                    {u.username}
                    {u.isAdmin && <span className="badge">Admin</span>}
                    {u.disabled && <span className="badge danger">Disabled</span>}
                    {u.id === meId && <span className="badge ok">You</span>}
                  </span>
                  <span className="muted small-text">{u.email ?? 'No email address'}</span>
                  <span className="muted small-text">
                    Joined {formatDate(u.createdAt)} · Last seen{' '}
                    {u.lastSeenAt ? relativeTime(u.lastSeenAt) : 'never'}
                    {u.invitedBy && ` · Invited by ${u.invitedBy.username}`}
                  </span>
                </div>
                <div className="admin-row-actions">
                  <button
                    type="button"
                    className="button small secondary"
                    disabled={busy === u.id || u.id === meId}
                    title={u.id === meId ? 'You cannot disable your own account' : undefined}
                    onClick={() => void update(u, { disabled: !u.disabled })}
                  >
                    {u.disabled ? 'Enable' : 'Disable'}
                  </button>
                  <button
                    type="button"
                    className="button small secondary"
                    disabled={busy === u.id || (u.id === meId && u.isAdmin)}
                    title={u.id === meId ? 'Another admin can withdraw your admin right' : undefined}
                    onClick={() => void update(u, { isAdmin: !u.isAdmin })}
                  >
                    {u.isAdmin ? 'Remove admin' : 'Make admin'}
                  </button>
                  <button
                    type="button"
                    className="button small secondary"
                    disabled={busy === u.id}
                    onClick={() => void reset(u)}
                  >
                    Send password reset
                  </button>
                  <button
                    type="button"
                    className="button small danger"
                    disabled={busy === u.id || u.id === meId}
                    title={u.id === meId ? 'Delete your own account in your settings' : undefined}
                    onClick={() => setDeleting(u)}
                  >
                    Delete
                  </button>
                </div>
                {outcome?.delivery === 'mail' && (
                  <p className="form-notice admin-row-note" role="status">
                    Mail sent to {u.email ?? 'their address'}.
                  </p>
                )}
                {outcome?.delivery === 'link' && (
                  <div className="admin-row-note">
                    <p className="muted small-text">
                      No mail can reach them: give them this link yourself. It works once, for an hour.
                    </p>
                    <CopyField label={`Password reset link for ${u.username}`} value={outcome.url} />
                  </div>
                )}
              </li>
            );
          })}
        </ul>
      )}
      {more && (
        <div className="form-actions">
          <button
            type="button"
            className="button secondary"
            disabled={loadingMore}
            onClick={() => void loadMore()}
          >
            Load more
          </button>
        </div>
      )}
      {deleting && (
        <ConfirmDialog
          title={`Delete ${deleting.username}?`}
          message={`${deleting.username} is deleted for good. Their messages stay, shown as written by “Deleted user”; servers they own go to their longest-standing member, or are deleted if they have none.`}
          confirmLabel="Delete user"
          onConfirm={async () => {
            await rest.adminDeleteUser({ userId: deleting.id });
            setUsers((u) => u?.filter((x) => x.id !== deleting.id) ?? null);
          }}
          onClose={() => setDeleting(null)}
        />
      )}
    </>
  );
}
