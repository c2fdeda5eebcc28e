import type { OpHandlers } from '../../gateway/ops.js';
import type { Commands } from '../../kernel/commands.js';
import type { TypingService } from './typing.service.js';

export function typingOps(deps: { typing: TypingService; commands: Commands }): OpHandlers<'typing'> {
  const { typing, commands } = deps;
  return {
    typing: async ({ auth }, d) =>
      commands.run(() => typing.typing(auth.actor.id, auth.actor.username, BigInt(d.channelId))),
  };
}
