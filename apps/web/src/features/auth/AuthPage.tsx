import { type FormEvent, useEffect, useState } from 'react';
import { Link, useLocation, useNavigate } from 'react-router';
import { rest, startSession, useAuth } from '../../app/client';
import { instanceName, loadInstance, useInstance } from '../../app/instance';
import { safeReturnPath } from '../../app/return-path';
import { channelPath, forgotPasswordPath, homePath } from '../../app/routes';
import { errorText } from '../../ui/error-text';

type Mode = 'login' | 'signup';

/**
 * Log in, or sign up with an invite code (the very first account needs none), on the instance
 * named by its admin. Sign-up is hidden while registration is closed, the code optional while it
 * is open, and "Forgot password?" is there when the server can send mail.
 */
export function AuthPage({ inviteCode: linkCode }: { inviteCode?: string } = {}) {
  const info = useInstance((s) => s.info);
  const settled = useInstance((s) => s.settled);
  const needsSetup = info?.needsSetup ?? false;
  // The first account needs no code, whatever the mode says.
  const registration = needsSetup ? 'open' : (info?.registration ?? 'invite');
  const canSignUp = registration !== 'closed';
  // Until chosen: sign-up on a fresh instance (the first admin) or from an invite link.
  const [chosen, setMode] = useState<Mode | null>(null);
  const mode: Mode = chosen ?? (needsSetup || linkCode ? 'signup' : 'login');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [inviteCode, setInviteCode] = useState(linkCode ?? '');
  const navigate = useNavigate();
  const location = useLocation();
  const [email, setEmail] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const notice = useAuth((s) => s.notice);
  // Fresh on every visit: the first signup ends needsSetup, an admin may have changed the rest.
  useEffect(() => {
    void loadInstance();
  }, []);
  const signup = mode === 'signup' && canSignUp;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      let joinedServerId: string | undefined;
      if (!signup) await rest.login({ username: username.trim(), password });
      else
        ({ joinedServerId } = await rest.signup({
          username: username.trim(),
          password,
          ...(inviteCode.trim() ? { inviteCode: inviteCode.trim() } : {}),
          ...(email.trim() ? { email: email.trim() } : {}),
        }));
      // A server invite lands in its server; an invite link logged into stays (and joins); else
      // the page that sent the visitor here, when it is one of the app's.
      if (joinedServerId) navigate(channelPath(joinedServerId), { replace: true });
      else if (!linkCode || signup)
        navigate(safeReturnPath(new URLSearchParams(location.search).get('next')) ?? homePath, {
          replace: true,
        });
      startSession();
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  };

  const name = instanceName(info);
  // Not a flash of "Log in" before a fresh instance turns out to need its first admin.
  if (!settled)
    return (
      <div className="splash" role="status">
        Loading…
      </div>
    );
  return (
    <div className="auth-page">
      <form className="auth-card" onSubmit={submit} aria-labelledby="auth-title">
        <h1 id="auth-title">{name}</h1>
        <p className="muted">
          {needsSetup
            ? 'Nobody is here yet. Create the first account: it becomes the admin.'
            : signup
              ? 'Create an account and join the people you know here.'
              : 'Welcome back! Log in to continue.'}
        </p>
        {notice && !error && (
          <p className="form-notice" role="status">
            {notice}
          </p>
        )}
        <label className="field">
          <span>Username</span>
          <input
            name="username"
            autoComplete="username"
            required
            value={username}
            onChange={(e) => setUsername(e.target.value)}
          />
        </label>
        <label className="field">
          <span>Password</span>
          <input
            name="password"
            type="password"
            autoComplete={signup ? 'new-password' : 'current-password'}
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        {!signup && info?.passwordReset && (
          <Link className="forgot-link" to={forgotPasswordPath}>
            Forgot password?
          </Link>
        )}
        {signup && (
          <>
            <label className="field">
              <span>{registration === 'open' ? 'Invite code (optional)' : 'Invite code'}</span>
              <input
                name="inviteCode"
                autoComplete="off"
                aria-describedby="invite-hint"
                value={inviteCode}
                onChange={(e) => setInviteCode(e.target.value)}
              />
              <small id="invite-hint" className="hint">
                {needsSetup
                  ? 'Nobody is here yet. The very first account needs none, and it becomes the admin.'
                  : registration === 'open'
                    ? 'Anyone may sign up here; a code from a friend is welcome but not needed.'
                    : info
                      ? 'Ask someone on this server for one.'
                      : 'Ask someone on this server for one. The very first account needs none.'}
              </small>
            </label>
            <label className="field">
              <span>Email (optional)</span>
              <input
                name="email"
                type="email"
                autoComplete="email"
                value={email}
                onChange={(e) => setEmail(e.target.value)}
              />
            </label>
          </>
        )}
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="button wide" disabled={busy}>
          {signup ? 'Sign up' : 'Log in'}
        </button>
        {canSignUp ? (
          <p className="switch-mode">
            {signup ? 'Already have an account?' : 'Need an account?'}{' '}
            <button
              type="button"
              className="link-button"
              onClick={() => {
                setMode(signup ? 'login' : 'signup');
                setError(null);
              }}
            >
              {signup ? 'Log in instead' : 'Sign up instead'}
            </button>
          </p>
        ) : (
          <p className="switch-mode">This server is not taking new accounts.</p>
        )}
      </form>
    </div>
  );
}
