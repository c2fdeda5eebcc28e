import { useEffect, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { rest, useAuth } from '../../app/client';
import { homePath, loginPath } from '../../app/routes';
import { INCOMPLETE_LINK, linkErrorText } from './link-error';

/** One request per token, however often the page mounts (a token works once). */
const confirmations = new Map<string, Promise<void>>();
function confirmOnce(token: string): Promise<void> {
  let pending = confirmations.get(token);
  if (!pending) {
    pending = rest.confirmEmail({ token });
    confirmations.set(token, pending);
  }
  return pending;
}

/** The page a confirmation mail links to: confirms the address at once and says so. */
export function ConfirmEmailPage() {
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const loggedIn = useAuth((s) => s.status === 'authenticated');
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);

  useEffect(() => {
    if (!token) {
      setResult({ ok: false, text: INCOMPLETE_LINK });
      return;
    }
    let live = true;
    confirmOnce(token).then(
      () => live && setResult({ ok: true, text: 'Your email address is confirmed.' }),
      (err) => live && setResult({ ok: false, text: linkErrorText(err) }),
    );
    return () => {
      live = false;
    };
  }, [token]);

  return (
    <div className="auth-page">
      <section className="auth-card" aria-labelledby="confirm-title">
        <h1 id="confirm-title">Email confirmation</h1>
        {!result && <p role="status">Confirming…</p>}
        {result && (
          <p className={result.ok ? 'form-notice' : 'form-error'} role={result.ok ? 'status' : 'alert'}>
            {result.text}
          </p>
        )}
        {result && (
          <Link className="button wide link-as-button" to={loggedIn ? homePath : loginPath}>
            {loggedIn ? 'Open the app' : 'Log in'}
          </Link>
        )}
      </section>
    </div>
  );
}
