import type { ServerInvite } from '@decentra/protocol';
import { type FormEvent, useEffect, useState } from 'react';
import { rest } from '../../app/client';
import { useChat } from '../../app/hooks';
import { CopyField } from '../../ui/CopyField';
import { Dialog } from '../../ui/Dialog';
import { errorText } from '../../ui/error-text';
import { formatDateTime } from '../../ui/format';

const USES = [1, 5, 10, 25, 100] as const;
const HOUR = 60 * 60 * 1000;
const LIFETIMES = [
  { label: 'Never', ms: 0 },
  { label: '1 hour', ms: HOUR },
  { label: '1 day', ms: 24 * HOUR },
  { label: '7 days', ms: 7 * 24 * HOUR },
] as const;

/**
 * "Generate Invite". Inside a server its owner makes a server invite (uses and expiry to choose);
 * elsewhere, or for a member who may not invite, a single-use sign-up code. The dialog names
 * which kind a code is, since only a server invite works in "Join server".
 */
export function InviteDialog({ serverId, onClose }: { serverId?: string; onClose: () => void }) {
  const server = useChat((s) => (serverId ? s.servers[serverId] : undefined));
  const owner = useChat((s) => server !== undefined && s.me?.id === server.ownerId);
  return (
    <Dialog
      title={server ? `Invite people to ${server.name}` : 'Invite someone to Decentra'}
      onClose={onClose}
    >
      {server && owner ? (
        <ServerInviteForm serverId={server.id} />
      ) : (
        <>
          {server && <p className="muted">Only the owner of {server.name} can make invites to it.</p>}
          <SignupCode />
        </>
      )}
    </Dialog>
  );
}

function inviteLink(code: string): string {
  return `${window.location.origin}/invite/${encodeURIComponent(code)}`;
}

function ServerInviteForm({ serverId }: { serverId: string }) {
  const [maxUses, setMaxUses] = useState<number>(1);
  const [lifetime, setLifetime] = useState<number>(0);
  const [invite, setInvite] = useState<ServerInvite | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const create = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const expiresAt = lifetime ? new Date(Date.now() + lifetime).toISOString() : undefined;
      setInvite(await rest.createServerInvite({ serverId, maxUses, ...(expiresAt ? { expiresAt } : {}) }));
    } catch (err) {
      setError(errorText(err));
    }
    setBusy(false);
  };
  return (
    <form className="stack" onSubmit={create} aria-label="Server invite">
      <div className="inline-form">
        <label className="field grow">
          <span>Max uses</span>
          <select value={maxUses} onChange={(e) => setMaxUses(Number(e.target.value))}>
            {USES.map((n) => (
              <option key={n} value={n}>
                {n === 1 ? '1 use' : `${n} uses`}
              </option>
            ))}
          </select>
        </label>
        <label className="field grow">
          <span>Expires after</span>
          <select value={lifetime} onChange={(e) => setLifetime(Number(e.target.value))}>
            {LIFETIMES.map((l) => (
              <option key={l.ms} value={l.ms}>
                {l.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      <button type="submit" className="button" disabled={busy}>
        Create server invite
      </button>
      {invite && (
        <>
          <p className="form-notice" role="status">
            Server invite: joins this server with "Join server", and works as a sign-up code for someone new.{' '}
            {invite.maxUses === 1 ? 'Works once' : `Up to ${invite.maxUses} uses`}
            {invite.expiresAt ? `, until ${formatDateTime(invite.expiresAt)}.` : ', never expires.'}
          </p>
          <CopyField label="Server invite code" value={invite.code} />
          <CopyField label="Invite link" value={inviteLink(invite.code)} />
        </>
      )}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}

/** A single-use code that makes an account on this instance (no server). */
function SignupCode() {
  const [code, setCode] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    rest.createInvite().then(
      (r) => live && setCode(r.code),
      (err) => live && setError(errorText(err)),
    );
    return () => {
      live = false;
    };
  }, []);
  return (
    <>
      <p className="muted">
        Sign-up code: it makes one account on this Decentra (it does not join a server). It works once.
      </p>
      {code && <CopyField label="Sign-up invite code" value={code} />}
      {!code && !error && <p role="status">Generating…</p>}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </>
  );
}
