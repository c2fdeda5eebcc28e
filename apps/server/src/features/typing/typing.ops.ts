import { TypingOpSchema } from '@decentra/protocol';
import { defineOp, type OpRegistry } from '../../gateway/ops.js';
import type { TypingService } from './typing.service.js';

export function registerTypingOps(ops: OpRegistry, typing: TypingService): void {
  ops.set(
    'typing',
    defineOp({
      schema: TypingOpSchema,
      async handle({ auth }, d) {
        return { events: (await typing.typing(auth.user.id, BigInt(d.channelId))).events };
      },
    }),
  );
}
