import type { StoreMessage } from '@decentra/client';
import { rest } from '../../app/client';
import { useChat } from '../../app/hooks';
import { Icon } from '../../ui/Icon';
import { startReply } from './reply-draft';

/** Reply, and Pin/Unpin for those who may (the owner or the right in a server; both ends of a DM). */
export function MessageExtraActions({
  message,
  onError,
}: {
  message: StoreMessage;
  onError: (err: unknown) => void;
}) {
  const mayPin = useChat((s) => {
    const channel = s.channels[message.channelId];
    if (!channel) return false;
    if (channel.type === 'dm') return true;
    return channel.serverId ? (s.servers[channel.serverId]?.myPermissions.pinMessages ?? false) : false;
  });
  const params = { channelId: message.channelId, messageId: message.id };
  return (
    <>
      <button
        type="button"
        className="icon-button small"
        aria-label="Reply"
        title="Reply"
        onClick={() => {
          startReply(message);
          document.querySelector<HTMLTextAreaElement>('.composer textarea')?.focus();
        }}
      >
        <Icon name="reply" size={16} />
      </button>
      {mayPin && (
        <button
          type="button"
          className="icon-button small"
          aria-label={message.pinned ? 'Unpin message' : 'Pin message'}
          title={message.pinned ? 'Unpin' : 'Pin'}
          onClick={() =>
            (message.pinned ? rest.unpinMessage(params) : rest.pinMessage(params)).catch(onError)
          }
        >
          <Icon name="pin" size={16} />
        </button>
      )}
    </>
  );
}
