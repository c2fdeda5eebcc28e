import { type FormEvent, useState } from 'react';
import { chatStore, rest } from '../../app/client';
import { useChat } from '../../app/hooks';
import { errorText } from '../../ui/error-text';
import { AvatarSettings } from './AvatarSettings';

/** My account: who I am, my email (and one waiting for confirmation), changing email and password, my data. */
export function AccountSettings() {
  const me = useChat((s) => s.me);
  if (!me) return null;
  return (
    <>
      <dl className="facts">
        <div>
          <dt>Username</dt>
          <dd>{me.username}</dd>
        </div>
        <div>
          <dt>Email</dt>
          <dd>{me.email ?? <span className="muted">No email address</span>}</dd>
        </div>
      </dl>
      {me.pendingEmail && (
        <p className="form-notice" role="status">
          {me.pendingEmail} is pending confirmation: open the link we mailed to it.
        </p>
      )}
      <AvatarSettings />
      <ChangeEmail hasEmail={me.email !== undefined} />
      <ChangePassword />
      <section className="settings-form" aria-labelledby="data-heading">
        <h2 id="data-heading">Your data</h2>
        <p className="muted">
          Everything this server keeps about you — profile, settings, servers, friends, direct messages and
          every message you wrote — as one JSON file.
        </p>
        <div className="form-actions">
          {/* A plain download: the session cookie goes with it, and the server names the file. */}
          <a className="button secondary" href="/api/users/@me/export" download>
            Download my data
          </a>
        </div>
      </section>
    </>
  );
}

/** After a change the gateway's user_update brings the new `me`; asking once more costs little. */
async function refreshMe(): Promise<void> {
  const me = await rest.me().catch(() => null);
  if (me) chatStore.setState({ me });
}

function ChangeEmail({ hasEmail }: { hasEmail: boolean }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  const submit = async (e: FormEvent, remove = false) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      const address = remove ? null : email.trim();
      const { status } = await rest.changeEmail({ email: address, password });
      setDone(
        address === null
          ? 'Your email address has been removed.'
          : status === 'confirmation_sent'
            ? `We sent a link to ${address}. Your email changes when you open it.`
            : `Your email address is now ${address}.`,
      );
      setEmail('');
      setPassword('');
      await refreshMe();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="settings-form" onSubmit={(e) => void submit(e)} aria-labelledby="email-heading">
      <h2 id="email-heading">Change email</h2>
      <label className="field">
        <span>New email</span>
        <input
          name="email"
          type="email"
          autoComplete="email"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
      </label>
      <label className="field">
        <span>Password</span>
        <input
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
      </label>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {done && (
        <p className="form-notice" role="status">
          {done}
        </p>
      )}
      <div className="form-actions">
        <button type="submit" className="button" disabled={busy}>
          Change email
        </button>
        {hasEmail && (
          <button
            type="button"
            className="button secondary"
            disabled={busy || !password}
            title={password ? undefined : 'Type your password first'}
            onClick={(e) => void submit(e, true)}
          >
            Remove my email
          </button>
        )}
      </div>
    </form>
  );
}

function ChangePassword() {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setDone(false);
    if (next !== again) {
      setError('The new passwords do not match.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await rest.changePassword({ currentPassword: current, newPassword: next });
      setDone(true);
      setCurrent('');
      setNext('');
      setAgain('');
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="settings-form" onSubmit={(e) => void submit(e)} aria-labelledby="password-heading">
      <h2 id="password-heading">Change password</h2>
      <label className="field">
        <span>Current password</span>
        <input
          name="current-password"
          type="password"
          autoComplete="current-password"
          required
          value={current}
          onChange={(e) => setCurrent(e.target.value)}
        />
      </label>
      <label className="field">
        <span>New password</span>
        <input
          name="new-password"
          type="password"
          autoComplete="new-password"
          required
          value={next}
          onChange={(e) => setNext(e.target.value)}
        />
      </label>
      <label className="field">
        <span>Confirm new password</span>
        <input
          name="confirm-password"
          type="password"
          autoComplete="new-password"
          required
          value={again}
          onChange={(e) => setAgain(e.target.value)}
        />
      </label>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {done && (
        <p className="form-notice" role="status">
          Your password has been changed. Your other sessions were logged out.
        </p>
      )}
      <div className="form-actions">
        <button type="submit" className="button" disabled={busy}>
          Change password
        </button>
      </div>
    </form>
  );
}
