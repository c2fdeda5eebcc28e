import { useEffect, useState } from 'react';
import { rest } from '../../app/client';
import { CopyField } from '../../ui/CopyField';
import { Dialog } from '../../ui/Dialog';
import { errorText } from '../../ui/error-text';

/** "Generate Invite": a single-use sign-up code for someone new. */
export function InviteDialog({ onClose }: { onClose: () => void }) {
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
    <Dialog title="Invite someone to Decentra" onClose={onClose}>
      <p className="muted">This sign-up code works once. Send it to the person you want to invite.</p>
      {code && <CopyField label="Sign-up invite code" value={code} />}
      {!code && !error && <p role="status">Generating…</p>}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </Dialog>
  );
}
