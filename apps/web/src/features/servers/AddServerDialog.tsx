import type { Server } from '@decentra/protocol';
import { type FormEvent, useState } from 'react';
import { useNavigate } from 'react-router';
import { chat } from '../../app/client';
import { channelPath } from '../../app/routes';
import { Dialog } from '../../ui/Dialog';
import { errorText } from '../../ui/error-text';

/** Create a server ("Server name"), or join one with a server invite code. */
export function AddServerDialog({ onClose }: { onClose: () => void }) {
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const run = (action: () => Promise<Server>) => async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      // In the store when this returns (no blank moment waiting for server_create).
      const server = await action();
      onClose();
      const first = server.channels.find((c) => c.type === 'text');
      navigate(channelPath(server.id, first?.id));
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  };

  return (
    <Dialog title="Create a server" onClose={onClose}>
      <form onSubmit={run(() => chat().createServer(name.trim()))} className="stack">
        <label className="field">
          <span>Server name</span>
          <input required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <button type="submit" className="button" disabled={busy || !name.trim()}>
          Create
        </button>
      </form>
      <div className="divider">or</div>
      <form onSubmit={run(() => chat().joinServer(code.trim()))} className="stack">
        <label className="field">
          <span>Server invite code</span>
          <input required value={code} onChange={(e) => setCode(e.target.value)} />
        </label>
        <button type="submit" className="button secondary" disabled={busy || !code.trim()}>
          Join server
        </button>
      </form>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </Dialog>
  );
}
