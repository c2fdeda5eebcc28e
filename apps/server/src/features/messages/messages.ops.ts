import type { OpHandlers } from '../../gateway/ops.js';
import type { Commands } from '../../kernel/commands.js';
import type { MessagesService } from './messages.service.js';

/** `send_message {channelId, content, nonce, replyTo?, mentionReplied?}`: the same service call as POST /channels/:id/messages. */
export function messageOps(deps: {
  messages: MessagesService;
  commands: Commands;
}): OpHandlers<'send_message'> {
  const { messages, commands } = deps;
  return {
    send_message: async ({ auth }, d) =>
      commands.run(() => {
        const { channelId, ...body } = d;
        return messages.send(auth.actor, BigInt(channelId), body);
      }),
  };
}
