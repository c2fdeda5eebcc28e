import type { OpHandlers } from '../../gateway/ops.js';
import type { Commands } from '../../kernel/commands.js';
import { dispatch, toSession } from '../../kernel/events.js';
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
      commands.transaction((tx) => voice.join(tx, auth.actor.id, sessionId, BigInt(d.channelId))),
    voice_leave: async ({ auth }) => commands.run(() => voice.leave(auth.actor.id)),
    voice_state: async ({ auth }, d) => commands.run(() => voice.setState(auth.actor.id, d)),
    voice_signal: async ({ auth, sessionId }, d) => {
      const from = auth.actor.id;
      const to = BigInt(d.to);
      // Only to the session in the same voice channel or at the other end of the call.
      const target =
        (await voice.peerSession(from, sessionId, to)) ?? (await calls.peerSession(from, sessionId, to));
      if (target === undefined) throw cannotSignal();
      const signal = dispatch(
        'voice_signal',
        { from: from.toString(), payload: d.payload },
        toSession(target),
      );
      return commands.run(() => outcome(undefined, [signal]));
    },
    call_start: async ({ auth, sessionId }, d) =>
      commands.transaction((tx) => calls.start(tx, auth.actor, sessionId, BigInt(d.userId))),
    call_accept: async ({ auth, sessionId }, d) =>
      commands.run(() => calls.accept(auth.actor.id, sessionId, d.callId)),
    call_reject: async ({ auth }, d) => commands.run(() => calls.reject(auth.actor.id, d.callId)),
    call_end: async ({ auth }, d) => commands.run(() => calls.end(auth.actor.id, d.callId)),
  };
}
