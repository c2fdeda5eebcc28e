import type { Channel } from '@decentra/protocol';
import { type FormEvent, useState } from 'react';
import { useNavigate } from 'react-router';
import { chat } from '../../app/client';
import { channelPath } from '../../app/routes';
import { Dialog } from '../../ui/Dialog';
import { errorText } from '../../ui/error-text';

/** Create a text or voice channel, or (given `channel`) rename one. */
export function ChannelDialog({
  serverId,
  channel,
  onClose,
}: {
  serverId: string;
  channel?: Channel;
  onClose: () => void;
}) {
  const navigate = useNavigate();
  const [name, setName] = useState(channel?.name ?? '');
  const [type, setType] = useState<'text' | 'voice'>('text');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      if (channel) await chat().renameChannel(channel.id, name.trim());
      else {
        // The store has the channel when this returns, so its page knows it at once.
        const created = await chat().createChannel(serverId, name.trim(), type);
        if (created.type === 'text') navigate(channelPath(serverId, created.id));
      }
      onClose();
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  };

  return (
    <Dialog title={channel ? 'Rename channel' : 'Create channel'} onClose={onClose}>
      <form onSubmit={submit} className="stack">
        {!channel && (
          <fieldset className="radio-group">
            <legend>Channel type</legend>
            <label>
              <input type="radio" name="type" checked={type === 'text'} onChange={() => setType('text')} />{' '}
              Text
            </label>
            <label>
              <input type="radio" name="type" checked={type === 'voice'} onChange={() => setType('voice')} />{' '}
              Voice
            </label>
          </fieldset>
        )}
        <label className="field">
          <span>Channel name</span>
          <input required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="button" disabled={busy || !name.trim()}>
          {channel ? 'Save' : 'Create channel'}
        </button>
      </form>
    </Dialog>
  );
}
