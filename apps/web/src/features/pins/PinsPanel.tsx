import { Avatar } from '../../ui/Avatar';
import { Dialog } from '../../ui/Dialog';
import { jumpToMessage } from '../messages/jump-to-message';
import { usePins } from './use-pins';

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** "Pinned messages" of a channel, newest pin first; a click jumps to the message. */
export function PinsPanel({ channelId, onClose }: { channelId: string; onClose: () => void }) {
  const { pins, error } = usePins(channelId);
  return (
    <Dialog title="Pinned messages" onClose={onClose} className="pins-dialog">
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {!pins && !error && <p className="muted">Loading…</p>}
      {pins?.length === 0 && <p className="muted">This channel has no pinned messages yet.</p>}
      {pins && pins.length > 0 && (
        <ul className="pins-list" aria-label="Pinned messages">
          {pins.map(({ message }) => (
            <li key={message.id}>
              <button
                type="button"
                className="pin-item"
                onClick={() => {
                  onClose();
                  void jumpToMessage(channelId, message.id);
                }}
              >
                <Avatar
                  id={message.author.id}
                  name={message.author.username}
                  avatar={message.author.avatar}
                />
                <span className="pin-body">
                  <span className="pin-head">
                    <strong>{message.author.username}</strong>
                    <time dateTime={message.createdAt}>{dateFormat.format(new Date(message.createdAt))}</time>
                  </span>
                  <span className="pin-content">{message.content}</span>
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </Dialog>
  );
}
