import { type FormEvent, useState } from 'react';
import { rest, startSession, useAuth } from '../../app/client';
import { errorText } from '../../ui/error-text';

type Mode = 'login' | 'signup';

/** Log in, or sign up with an invite code (the very first account needs none). */
export function AuthPage() {
  const [mode, setMode] = useState<Mode>('login');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [inviteCode, setInviteCode] = useState('');
  const [email, setEmail] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const notice = useAuth((s) => s.notice);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      if (mode === 'login') await rest.login({ username: username.trim(), password });
      else
        await rest.signup({
          username: username.trim(),
          password,
          ...(inviteCode.trim() ? { inviteCode: inviteCode.trim() } : {}),
          ...(email.trim() ? { email: email.trim() } : {}),
        });
      startSession();
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  };

  const signup = mode === 'signup';
  return (
    <div className="auth-page">
      <form className="auth-card" onSubmit={submit} aria-labelledby="auth-title">
        <h1 id="auth-title">{signup ? 'Create an account' : 'Welcome back!'}</h1>
        <p className="muted">{signup ? 'Join the people you know on Decentra.' : 'Log in to Decentra.'}</p>
        {notice && !error && <p className="form-notice">{notice}</p>}
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
        {signup && (
          <>
            <label className="field">
              <span>Invite code</span>
              <input
                name="inviteCode"
                autoComplete="off"
                aria-describedby="invite-hint"
                value={inviteCode}
                onChange={(e) => setInviteCode(e.target.value)}
              />
              <small id="invite-hint" className="hint">
                Ask someone on this server for one. The very first account needs none.
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
      </form>
    </div>
  );
}
