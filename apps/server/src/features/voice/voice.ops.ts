import {
  CallIdOpSchema,
  CallStartOpSchema,
  VoiceJoinOpSchema,
  VoiceLeaveOpSchema,
  VoiceSignalOpSchema,
  VoiceStateOpSchema,
} from '@decentra/protocol';
import { dispatch } from '../../bus/bus.js';
import { defineOp, type OpRegistry } from '../../gateway/ops.js';
import { forbidden } from '../../infra/errors.js';
import type { CallsService } from './calls.service.js';
import type { VoiceService } from './voice.service.js';

export function registerVoiceOps(ops: OpRegistry, voice: VoiceService, calls: CallsService): void {
  const me = (auth: { user: { id: bigint } }) => auth.user.id.toString();

  ops.set(
    'voice_join',
    defineOp({
      schema: VoiceJoinOpSchema,
      handle: async ({ auth, sessionId }, d) => ({
        events: await voice.join(auth.user.id, sessionId, BigInt(d.channelId)),
      }),
    }),
  );
  ops.set(
    'voice_leave',
    defineOp({ schema: VoiceLeaveOpSchema, handle: async ({ auth }) => ({ events: voice.leave(me(auth)) }) }),
  );
  ops.set(
    'voice_state',
    defineOp({
      schema: VoiceStateOpSchema,
      handle: async ({ auth }, d) => ({ events: voice.setMuted(me(auth), d.muted) }),
    }),
  );
  ops.set(
    'voice_signal',
    defineOp({
      schema: VoiceSignalOpSchema,
      async handle({ auth }, d) {
        const from = me(auth);
        if (!calls.inCallTogether(from, d.to)) {
          try {
            voice.assertSameChannel(from, d.to);
          } catch {
            throw forbidden('You can only signal someone in your voice channel or call.');
          }
        }
        return {
          events: [
            dispatch('voice_signal', { from, payload: d.payload }, { kind: 'users', userIds: [d.to] }),
          ],
        };
      },
    }),
  );
  ops.set(
    'call_start',
    defineOp({
      schema: CallStartOpSchema,
      async handle({ auth }, d) {
        const { callId, events } = await calls.start(auth.user, BigInt(d.userId));
        return { reply: { callId }, events };
      },
    }),
  );
  ops.set(
    'call_accept',
    defineOp({
      schema: CallIdOpSchema,
      handle: async ({ auth }, d) => ({ events: calls.accept(me(auth), d.callId) }),
    }),
  );
  ops.set(
    'call_reject',
    defineOp({
      schema: CallIdOpSchema,
      handle: async ({ auth }, d) => ({ events: calls.reject(me(auth), d.callId) }),
    }),
  );
  ops.set(
    'call_end',
    defineOp({
      schema: CallIdOpSchema,
      handle: async ({ auth }, d) => ({ events: calls.end(me(auth), d.callId) }),
    }),
  );
}
