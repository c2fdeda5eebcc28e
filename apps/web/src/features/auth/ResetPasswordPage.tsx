import { type FormEvent, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { rest } from '../../app/client';
import { loginPath } from '../../app/routes';
import { INCOMPLETE_LINK, linkErrorText } from './link-error';

/** The page a reset mail links to: the new password twice, then log in with it. */
export function ResetPasswordPage() {
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (password !== again) {
      setError('The passwords do not match.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await rest.confirmPasswordReset({ token, password });
      setDone(true);
    } catch (err) {
      setError(linkErrorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="auth-page">
      <form className="auth-card" onSubmit={submit} aria-labelledby="reset-title">
        <h1 id="reset-title">Set a new password</h1>
        {done ? (
          <>
            <p className="form-notice" role="status">
              Your password has been changed, and every session of your account was logged out.
            </p>
            <Link className="button wide link-as-button" to={loginPath}>
              Log in
            </Link>
          </>
        ) : !token ? (
          <p className="form-error" role="alert">
            {INCOMPLETE_LINK}
          </p>
        ) : (
          <>
            <label className="field">
              <span>New password</span>
              <input
                name="new-password"
                type="password"
                autoComplete="new-password"
                required
                value={password}
                onChange={(e) => setPassword(e.target.value)}
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
            <button type="submit" className="button wide" disabled={busy}>
              Change password
            </button>
          </>
        )}
        {!done && (
          <p className="switch-mode">
            <Link to={loginPath}>Back to log in</Link>
          </p>
        )}
      </form>
    </div>
  );
}
