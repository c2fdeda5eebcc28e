import { SendMessageOpSchema } from '@decentra/protocol';
import { defineOp, type OpRegistry } from '../../gateway/ops.js';
import type { MessagesService } from './messages.service.js';

/** `send_message {channelId, content, nonce}`: the same service call as POST /channels/:id/messages. */
export function registerMessageOps(ops: OpRegistry, messages: MessagesService): void {
  ops.set(
    'send_message',
    defineOp({
      schema: SendMessageOpSchema,
      async handle({ auth }, d) {
        const actor = { id: auth.user.id, username: auth.user.username };
        const { result, events } = await messages.send(actor, BigInt(d.channelId), {
          content: d.content,
          nonce: d.nonce,
        });
        return { reply: result, events };
      },
    }),
  );
}
