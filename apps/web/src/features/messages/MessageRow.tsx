import type { StoreMessage } from '@decentra/client';
import { memo, useState } from 'react';
import { chat } from '../../app/client';
import { ConfirmDialog } from '../../ui/ConfirmDialog';
import { errorText } from '../../ui/error-text';
import { Icon } from '../../ui/Icon';
import { ProfileTrigger } from '../profile/ProfileTrigger';
import { CallRecord } from '../voice/CallRecord';
import { MessageContent } from './MessageContent';
import { MessageEditor } from './MessageEditor';
import { notSentText } from './not-sent-text';

interface RowProps {
  message: StoreMessage;
  /** Same author as the one just above, shortly before: no name line. */
  grouped: boolean;
  mine: boolean;
  canDelete: boolean;
  myName: string | undefined;
  mentionsMe: boolean;
}

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** One message: own ones in green bubbles on the right, others' in blue; grouped by author. */
export const MessageRow = memo(function MessageRow({
  message,
  grouped,
  mine,
  canDelete,
  myName,
  mentionsMe,
}: RowProps) {
  const [editing, setEditing] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const created = new Date(message.createdAt);
  if (message.call) {
    return (
      <article className="message system" aria-label={`Call at ${timeFormat.format(created)}`}>
        <CallRecord call={message.call} caller={message.author.username} mine={mine} />
        <time dateTime={message.createdAt} title={dateFormat.format(created)}>
          {timeFormat.format(created)}
        </time>
      </article>
    );
  }
  const nonce = message.nonce ?? '';
  const classes = [
    'message',
    mine ? 'mine' : 'theirs',
    grouped ? 'grouped' : '',
    mentionsMe ? 'mentions-me' : '',
    message.pending ? `pending ${message.pending}` : '',
  ].join(' ');
  return (
    <article className={classes} aria-label={`${message.author.username} at ${timeFormat.format(created)}`}>
      {!grouped && (
        <header className="message-head">
          <ProfileTrigger userId={message.author.id} label={message.author.username}>
            <span className="message-author">{message.author.username}</span>
          </ProfileTrigger>
          <time dateTime={message.createdAt} title={dateFormat.format(created)}>
            {timeFormat.format(created)}
          </time>
        </header>
      )}
      <div className="bubble">
        {editing ? (
          <MessageEditor
            initial={message.content}
            onCancel={() => setEditing(false)}
            onSave={async (content) => {
              await chat().edit(message.channelId, message.id, content);
              setEditing(false);
            }}
          />
        ) : (
          <MessageContent content={message.content} myName={myName} />
        )}
        {message.editedAt && !editing && <span className="edited">(edited)</span>}
      </div>
      {message.pending === 'sending' && <span className="message-state">Sending…</span>}
      {message.pending === 'failed' && (
        <div className="message-state failed" role="alert">
          {notSentText(message.error)}{' '}
          <button type="button" className="link-button" onClick={() => chat().retry(nonce)}>
            Retry
          </button>{' '}
          <button type="button" className="link-button" onClick={() => chat().discard(nonce)}>
            Discard
          </button>
        </div>
      )}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {!message.pending && !editing && (mine || canDelete) && (
        <div className="message-actions">
          {mine && (
            <button
              type="button"
              className="icon-button small"
              aria-label="Edit message"
              onClick={() => setEditing(true)}
            >
              <Icon name="pencil" size={16} />
            </button>
          )}
          <button
            type="button"
            className="icon-button small"
            aria-label="Delete message"
            onClick={() => setDeleting(true)}
          >
            <Icon name="trash" size={16} />
          </button>
        </div>
      )}
      {deleting && (
        <ConfirmDialog
          title="Delete message"
          message="Delete this message for everyone? This cannot be undone."
          confirmLabel="Delete"
          onConfirm={() =>
            chat()
              .remove(message.channelId, message.id)
              .catch((err) => {
                setError(errorText(err));
              })
          }
          onClose={() => setDeleting(false)}
        />
      )}
    </article>
  );
});
