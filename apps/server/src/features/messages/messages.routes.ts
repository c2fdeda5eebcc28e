import type { RouteHandlers } from '../../http/api.js';
import type { Commands } from '../../kernel/commands.js';
import type { MessagesService } from './messages.service.js';

export function messagesRoutes(deps: {
  messages: MessagesService;
  commands: Commands;
}): RouteHandlers<'listMessages' | 'sendMessage' | 'editMessage' | 'deleteMessage'> {
  const { messages, commands } = deps;
  return {
    listMessages: async ({ auth, params, query }) =>
      messages.history(auth.actor.id, BigInt(params.channelId), query),
    sendMessage: async ({ auth, params, body }) =>
      commands.run(() => messages.send(auth.actor, BigInt(params.channelId), body)),
    editMessage: async ({ auth, params, body }) =>
      commands.transaction((tx) =>
        messages.edit(tx, auth.actor, BigInt(params.channelId), BigInt(params.messageId), body.content),
      ),
    deleteMessage: async ({ auth, params }) =>
      commands.transaction((tx) =>
        messages.delete(tx, auth.actor, BigInt(params.channelId), BigInt(params.messageId)),
      ),
  };
}
