import { ApiError } from '@decentra/client';
import { type FormEvent, useState } from 'react';
import { Link } from 'react-router';
import { rest } from '../../app/client';
import { loginPath } from '../../app/routes';
import { errorText } from '../../ui/error-text';

/** "Forgot password?": an address to mail a reset link to. The answer never says whether it exists. */
export function ForgotPasswordPage() {
  const [email, setEmail] = useState('');
  const [sent, setSent] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await rest.requestPasswordReset({ email: email.trim() });
      setSent(true);
    } catch (err) {
      setError(
        err instanceof ApiError && err.code === 'unavailable'
          ? 'This server cannot send mail right now. Ask an admin to reset your password.'
          : errorText(err),
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="auth-page">
      <form className="auth-card" onSubmit={submit} aria-labelledby="forgot-title">
        <h1 id="forgot-title">Forgot your password?</h1>
        {sent ? (
          <p className="form-notice" role="status">
            If an account uses this address, a mail with a link is on its way.
          </p>
        ) : (
          <>
            <p className="muted">
              Type the email address of your account: we mail you a link to set a new password.
            </p>
            <label className="field">
              <span>Email</span>
              <input
                name="email"
                type="email"
                autoComplete="email"
                required
                value={email}
                onChange={(e) => setEmail(e.target.value)}
              />
            </label>
            {error && (
              <p className="form-error" role="alert">
                {error}
              </p>
            )}
            <button type="submit" className="button wide" disabled={busy}>
              Send me a link
            </button>
          </>
        )}
        <p className="switch-mode">
          <Link to={loginPath}>Back to log in</Link>
        </p>
      </form>
    </div>
  );
}
