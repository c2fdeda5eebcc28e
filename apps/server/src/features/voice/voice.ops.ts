import type { OpHandlers } from '../../gateway/ops.js';
import type { Commands } from '../../kernel/commands.js';
import { dispatch, toUsers } from '../../kernel/events.js';
import { outcome } from '../../kernel/outcome.js';
import type { CallsService } from './calls.service.js';
import { cannotSignal, type VoiceService } from './voice.service.js';

type VoiceOps =
  | 'voice_join'
  | 'voice_leave'
  | 'voice_state'
  | 'voice_signal'
  | 'call_start'
  | 'call_accept'
  | 'call_reject'
  | 'call_end';

export function voiceOps(deps: {
  voice: VoiceService;
  calls: CallsService;
  commands: Commands;
}): OpHandlers<VoiceOps> {
  const { voice, calls, commands } = deps;
  return {
    voice_join: async ({ auth, sessionId }, d) =>
      commands.run(() => voice.join(auth.actor.id, sessionId, BigInt(d.channelId))),
    voice_leave: async ({ auth }) => commands.run(() => voice.leave(auth.actor.id)),
    voice_state: async ({ auth }, d) => commands.run(() => voice.setState(auth.actor.id, d)),
    voice_signal: async ({ auth }, d) => {
      const from = auth.actor.id;
      const to = BigInt(d.to);
      if (!calls.inCallTogether(from, to) && !voice.inSameChannel(from, to)) throw cannotSignal();
      const signal = dispatch('voice_signal', { from: from.toString(), payload: d.payload }, toUsers(to));
      return commands.run(() => outcome(undefined, [signal]));
    },
    call_start: async ({ auth }, d) => commands.run(() => calls.start(auth.actor, BigInt(d.userId))),
    call_accept: async ({ auth }, d) => commands.run(() => calls.accept(auth.actor.id, d.callId)),
    call_reject: async ({ auth }, d) => commands.run(() => calls.reject(auth.actor.id, d.callId)),
    call_end: async ({ auth }, d) => commands.run(() => calls.end(auth.actor.id, d.callId)),
  };
}
