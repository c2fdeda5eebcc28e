import type { OpHandlers } from '../../gateway/ops.js';
import type { Commands } from '../../kernel/commands.js';
import type { ReadStatesService } from './read-states.service.js';

/** `ack {channelId, messageId}`: the same service call as POST /channels/:id/ack. */
export function readStateOps(deps: { readStates: ReadStatesService; commands: Commands }): OpHandlers<'ack'> {
  const { readStates, commands } = deps;
  return {
    ack: async ({ auth }, d) =>
      commands.transaction((tx) => readStates.ack(tx, auth.actor, BigInt(d.channelId), BigInt(d.messageId))),
  };
}
