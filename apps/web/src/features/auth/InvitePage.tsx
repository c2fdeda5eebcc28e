import { useEffect, useRef, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { chat, useAuth } from '../../app/client';
import { channelPath, homePath } from '../../app/routes';
import { errorText } from '../../ui/error-text';
import { AuthPage } from './AuthPage';

/**
 * `/invite/<code>`: logged out, sign up with the code filled in (a server invite lands in its
 * server) or log in; logged in, join the server the code is for.
 */
export function InvitePage() {
  const { code = '' } = useParams();
  const authenticated = useAuth((s) => s.status === 'authenticated');
  if (!authenticated) return <AuthPage inviteCode={code} />;
  return <JoinWithCode code={code} />;
}

function JoinWithCode({ code }: { code: string }) {
  const navigate = useNavigate();
  const [error, setError] = useState<string | null>(null);
  const asked = useRef(false);
  useEffect(() => {
    if (asked.current) return;
    asked.current = true;
    chat()
      .joinServer(code)
      .then(
        (server) => {
          const first = server.channels.find((c) => c.type === 'text');
          navigate(channelPath(server.id, first?.id), { replace: true });
        },
        (err) => setError(errorText(err)),
      );
  }, [code, navigate]);
  return (
    <div className="auth-page">
      <div className="auth-card">
        <h1>Invite</h1>
        {error ? (
          <>
            <p className="form-error" role="alert">
              {error}
            </p>
            <Link className="button wide" to={homePath}>
              Go home
            </Link>
          </>
        ) : (
          <p role="status">Joining…</p>
        )}
      </div>
    </div>
  );
}
