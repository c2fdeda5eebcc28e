import { reduceEvent } from '@decentra/client';
import { type FormEvent, useEffect, useState } from 'react';
import { useNavigate } from 'react-router';
import { chat, chatStore, rest } from '../../app/client';
import { useChat } from '../../app/hooks';
import { homePath } from '../../app/routes';
import { ConfirmDialog } from '../../ui/ConfirmDialog';
import { CopyField } from '../../ui/CopyField';
import { Dialog } from '../../ui/Dialog';
import { errorText } from '../../ui/error-text';
import { PictureField } from '../../ui/PictureField';
import { MemberList } from './MemberList';
import { ServerIcon } from './RailIcons';

/** The answer applied as its `server_update` would be: shown at once; the event then changes nothing. */
function showServer(server: { id: string; name: string; ownerId: string; icon?: string | undefined }): void {
  const { id, name, ownerId, icon } = server;
  const d = icon ? { id, name, ownerId, icon } : { id, name, ownerId };
  chatStore.setState((s) => reduceEvent(s, { op: 'event', t: 'server_update', d, seq: 0 }));
}

/** The owner's settings: rename, server invites, members and their permissions, delete. */
export function ServerSettingsDialog({ serverId, onClose }: { serverId: string; onClose: () => void }) {
  const server = useChat((s) => s.servers[serverId]);
  const navigate = useNavigate();
  const [name, setName] = useState(server?.name ?? '');
  const [invite, setInvite] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);

  useEffect(() => {
    chat()
      .loadMembers(serverId)
      .catch((err: unknown) => setError(errorText(err)));
  }, [serverId]);

  if (!server) return null;

  const rename = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setSaved(false);
    try {
      await chat().renameServer(serverId, name.trim());
      setSaved(true);
    } catch (err) {
      setError(errorText(err));
    }
  };

  const generate = async () => {
    setError(null);
    try {
      setInvite((await rest.createServerInvite({ serverId })).code);
    } catch (err) {
      setError(errorText(err));
    }
  };

  return (
    <Dialog title="Server settings" onClose={onClose} className="wide">
      <form className="inline-form" onSubmit={rename}>
        <label className="field grow">
          <span>Server name</span>
          <input required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <button type="submit" className="button" disabled={!name.trim() || name.trim() === server.name}>
          Save
        </button>
      </form>
      {saved && <p className="form-notice">Saved.</p>}
      <section className="settings-section" aria-labelledby="icon-heading">
        <h3 id="icon-heading">Icon</h3>
        <PictureField
          label="server icon"
          preview={<ServerIcon name={server.name} icon={server.icon} />}
          hasPicture={server.icon !== undefined}
          upload={async (picture) => showServer(await rest.setServerIcon({ serverId, body: picture }))}
          remove={async () => {
            await rest.deleteServerIcon({ serverId });
            showServer({ id: serverId, name: server.name, ownerId: server.ownerId });
          }}
        />
      </section>
      <section className="settings-section" aria-labelledby="invite-heading">
        <h3 id="invite-heading">Invite people</h3>
        <p className="muted">
          A server invite joins this server; it also works as a sign-up code. It works once.
        </p>
        <button type="button" className="button secondary" onClick={generate}>
          Generate server invite
        </button>
        {invite && <CopyField label="Server invite code" value={invite} />}
      </section>
      <section className="settings-section" aria-labelledby="members-heading">
        <h3 id="members-heading">Members</h3>
        <MemberList serverId={serverId} onError={setError} />
      </section>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <section className="settings-section danger-zone">
        <button type="button" className="button danger" onClick={() => setConfirmDelete(true)}>
          Delete server
        </button>
      </section>
      {confirmDelete && (
        <ConfirmDialog
          title="Delete server"
          message={`Delete "${server.name}" with all its channels and messages? This cannot be undone.`}
          confirmLabel="Delete server"
          onConfirm={async () => {
            await rest.deleteServer({ serverId });
            onClose();
            navigate(homePath);
          }}
          onClose={() => setConfirmDelete(false)}
        />
      )}
    </Dialog>
  );
}
