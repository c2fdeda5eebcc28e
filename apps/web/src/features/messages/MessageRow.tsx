import type { StoreMessage } from '@decentra/client';
import { memo, useState } from 'react';
import { chat } from '../../app/client';
import { Avatar } from '../../ui/Avatar';
import { ConfirmDialog } from '../../ui/ConfirmDialog';
import { errorText } from '../../ui/error-text';
import { Icon } from '../../ui/Icon';
import { MessageAttachments } from '../attachments/MessageAttachments';
import { ProfileTrigger } from '../profile/ProfileTrigger';
import { AddReactionButton } from '../reactions/AddReactionButton';
import { MessageReactions } from '../reactions/MessageReactions';
import type { MessageDisplay } from '../settings/message-display';
import { CallRecord } from '../voice/CallRecord';
import { MessageContent } from './MessageContent';
import { MessageEditor } from './MessageEditor';
import { MessageExtraActions } from './MessageExtraActions';
import { notSentText } from './not-sent-text';
import { ReplyPreview } from './ReplyPreview';
import { SendingLabel } from './SendingLabel';

interface RowProps {
  message: StoreMessage;
  /** Continues the group of the message above (group-messages.ts): no avatar, name or time line. */
  grouped: boolean;
  display: MessageDisplay;
  mine: boolean;
  canDelete: boolean;
  myName: string | undefined;
  mentionsMe: boolean;
}

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/**
 * One message. Cozy: the avatar in a gutter on the left, name and time above the first message of
 * a group, the time in the gutter on hover for the rest. Bubbles: own ones in green bubbles on the
 * right, others' in blue, the name above the first of a group.
 */
export const MessageRow = memo(function MessageRow({
  message,
  grouped,
  display,
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
    display,
    mine ? 'mine' : 'theirs',
    grouped ? 'grouped' : '',
    mentionsMe ? 'mentions-me' : '',
    message.pending ? `pending ${message.pending}` : '',
  ].join(' ');
  return (
    <article className={classes} aria-label={`${message.author.username} at ${timeFormat.format(created)}`}>
      {display === 'cozy' && (
        <div className="message-gutter">
          {grouped ? (
            <time className="gutter-time" dateTime={message.createdAt} title={dateFormat.format(created)}>
              {timeFormat.format(created)}
            </time>
          ) : (
            <ProfileTrigger userId={message.author.id} label={message.author.username} mouseOnly>
              <Avatar id={message.author.id} name={message.author.username} avatar={message.author.avatar} />
            </ProfileTrigger>
          )}
        </div>
      )}
      <div className="message-body">
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
        {message.reference && <ReplyPreview channelId={message.channelId} reference={message.reference} />}
        {/* A message of files alone has no text to show. */}
        <div className="bubble" hidden={!message.content && !editing && !!message.attachments?.length}>
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
            <MessageContent content={message.content} myName={myName} embeds={message.embeds} />
          )}
          {message.editedAt && !editing && <span className="edited">(edited)</span>}
        </div>
        <MessageAttachments attachments={message.attachments} />
        <MessageReactions message={message} />
        {message.pending === 'sending' && <SendingLabel waitUntil={message.waitUntil} />}
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
      </div>
      {!message.pending && !editing && (
        <div className="message-actions">
          <AddReactionButton message={message} onError={(err) => setError(errorText(err))} />
          <MessageExtraActions message={message} onError={(err) => setError(errorText(err))} />
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
          {(mine || canDelete) && (
            <button
              type="button"
              className="icon-button small"
              aria-label="Delete message"
              onClick={() => setDeleting(true)}
            >
              <Icon name="trash" size={16} />
            </button>
          )}
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
