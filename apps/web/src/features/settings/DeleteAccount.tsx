import { type FormEvent, useEffect, useState } from 'react';
import { chat, endSession, rest } from '../../app/client';
import { useChat, useChatShallow } from '../../app/hooks';
import { ConfirmDialog } from '../../ui/ConfirmDialog';
import { errorText } from '../../ui/error-text';

/** An empty choice: the server is deleted with the account. */
const DELETE = '';

/**
 * Deleting my account, with my password: each server I own is deleted or handed to one of its
 * members first (the server wants every one named). My messages stay, by "Deleted user".
 */
export function DeleteAccount() {
  const meId = useChat((s) => s.me?.id);
  const owned = useChatShallow((s) => s.serverOrder.filter((id) => s.servers[id]?.ownerId === s.me?.id));
  const [password, setPassword] = useState('');
  const [heirs, setHeirs] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);

  useEffect(() => {
    for (const serverId of owned) {
      chat()
        .loadMembers(serverId)
        .catch((err: unknown) => setError(errorText(err)));
    }
  }, [owned]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setConfirming(true);
  };

  const handedOver = owned.filter((id) => (heirs[id] ?? DELETE) !== DELETE).length;
  const deleted = owned.length - handedOver;
  return (
    <form className="settings-form" onSubmit={submit} aria-label="Delete account">
      <p>
        Your account is deleted for good: you are logged out everywhere, your friends and direct messages go
        away, and the messages you wrote stay, shown as written by “Deleted user”.
      </p>
      {owned.length > 0 && (
        <fieldset className="owned-servers">
          <legend>Servers you own</legend>
          <p className="muted small-text">
            Hand each one to one of its members, or delete it with your account.
          </p>
          {owned.map((serverId) => (
            <OwnedServer
              key={serverId}
              serverId={serverId}
              meId={meId}
              value={heirs[serverId] ?? DELETE}
              onChange={(heir) => setHeirs((h) => ({ ...h, [serverId]: heir }))}
            />
          ))}
        </fieldset>
      )}
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
      <div className="form-actions">
        <button type="submit" className="button danger">
          Delete my account
        </button>
      </div>
      {confirming && (
        <ConfirmDialog
          title="Delete your account?"
          message={[
            'Your account will be deleted and cannot be restored.',
            owned.length > 0 &&
              `${countServers(deleted)} deleted, ${countServers(handedOver)} handed to a member.`,
          ]
            .filter(Boolean)
            .join(' ')}
          confirmLabel="Delete my account"
          onConfirm={async () => {
            await rest.deleteAccount({
              password,
              ownedServers: owned.map((serverId) => ({
                serverId,
                transferTo: (heirs[serverId] ?? DELETE) || null,
              })),
            });
            endSession('Your account has been deleted.');
          }}
          onClose={() => setConfirming(false)}
        />
      )}
    </form>
  );
}

const countServers = (n: number) => (n === 1 ? '1 server' : `${n} servers`);

function OwnedServer({
  serverId,
  meId,
  value,
  onChange,
}: {
  serverId: string;
  meId: string | undefined;
  value: string;
  onChange: (heir: string) => void;
}) {
  const name = useChat((s) => s.servers[serverId]?.name ?? '');
  const members = useChat((s) => s.members[serverId]);
  const others = members?.filter((m) => m.user.id !== meId) ?? [];
  return (
    <label className="field">
      <span className="server-choice-name">{name}</span>
      <select value={value} onChange={(e) => onChange(e.target.value)}>
        <option value={DELETE}>Delete the server</option>
        {others.map((m) => (
          <option key={m.user.id} value={m.user.id}>
            Hand it to {m.user.username}
          </option>
        ))}
      </select>
      {!members && <small className="hint">Loading its members…</small>}
    </label>
  );
}
