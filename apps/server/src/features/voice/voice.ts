import { IceServersResponseSchema } from '@decentra/protocol';
import type { Bus } from '../../bus/bus.js';
import type { Config } from '../../config.js';
import type { Gateway } from '../../gateway/gateway.js';
import type { OpRegistry } from '../../gateway/ops.js';
import type { ReadyBuilder } from '../../gateway/ready.js';
import { requireAuth } from '../../http/auth.js';
import { authedErrors, bearer } from '../../http/route-kit.js';
import type { App } from '../../http/types.js';
import type { Db } from '../../storage/db.js';
import type { AccountsService } from '../accounts/accounts.service.js';
import { serversOfUser } from '../servers/servers.repo.js';
import { CallsService } from './calls.service.js';
import { registerVoiceOps } from './voice.ops.js';
import { VoiceService } from './voice.service.js';

/** Voice channels and one-to-one calls: state and signalling; the audio is peer to peer. */
export function registerVoice(deps: {
  http: App;
  db: Db;
  bus: Bus;
  accounts: AccountsService;
  ready: ReadyBuilder;
  ops: OpRegistry;
  iceServers: Config['iceServers'];
  ringTimeoutMs?: number;
}): { attach(gateway: Gateway): void } {
  const { http, db, bus } = deps;
  const voice = new VoiceService(db);
  const calls = new CallsService(db, (events) => bus.publish(events), deps.ringTimeoutMs);
  registerVoiceOps(deps.ops, voice, calls);

  deps.ready.add(async (auth) => {
    const servers = await serversOfUser(db, auth.user.id);
    return { data: { voiceStates: voice.statesIn(new Set(servers.map((s) => s.server.id.toString()))) } };
  });

  http.get(
    '/api/voice/ice-servers',
    {
      preHandler: requireAuth(deps.accounts),
      schema: {
        tags: ['voice'],
        summary: 'STUN/TURN servers for WebRTC (DECENTRA_ICE_SERVERS)',
        security: bearer,
        response: { 200: IceServersResponseSchema, ...authedErrors },
      },
    },
    async () => ({ iceServers: deps.iceServers }),
  );

  return {
    /**
     * Voice ends with the session (tab, device) that joined; calls end when the user's last
     * socket goes.
     */
    attach(gateway: Gateway) {
      gateway.watchSessions((userId, _sessions, reason, attached, sessionId) => {
        const events =
          reason === 'identify' || reason === 'resume' ? [] : voice.leaveSession(userId, sessionId);
        if (attached === 0) events.push(...calls.endAllOf(userId));
        if (events.length > 0) void bus.publish(events);
      });
    },
  };
}
