import type { Config } from '../../config.js';
import type { ReadyContributor } from '../../gateway/ready.js';
import type { RouteHandlers } from '../../http/api.js';
import type { Clock } from '../../kernel/clock.js';
import type { Commands } from '../../kernel/commands.js';
import { outcome } from '../../kernel/outcome.js';
import type { SessionsChangedHook } from '../../kernel/sessions.js';
import type { Db } from '../../storage/db.js';
import type { AccessService } from '../access/access.service.js';
import type { DmsService } from '../dms/dms.service.js';
import type { FriendsService } from '../friends/friends.service.js';
import type { ServersService } from '../servers/servers.service.js';
import { CallsService } from './calls.service.js';
import { voiceOps } from './voice.ops.js';
import { VoiceService } from './voice.service.js';

/** Voice channels and one-to-one calls: state and signalling; the audio is peer to peer. */
export function registerVoice(deps: {
  db: Db;
  commands: Commands;
  access: AccessService;
  friends: FriendsService;
  servers: ServersService;
  dms: DmsService;
  iceServers: Config['iceServers'];
  ringTimeoutMs?: number;
  clock?: Clock;
}) {
  const { db, commands } = deps;
  const voice = new VoiceService(db, deps.access);
  const calls = new CallsService(db, deps.friends, deps.dms, commands, deps.ringTimeoutMs, deps.clock);
  const ready: ReadyContributor = async (auth) => ({
    data: {
      voiceStates: voice.statesIn(await deps.servers.idsOf(auth.actor.id)),
      calls: calls.of(auth.actor.id),
    },
  });
  const routes: RouteHandlers<'iceServers'> = {
    iceServers: async () => ({ iceServers: deps.iceServers }),
  };
  const ops = voiceOps({ voice, calls, commands });
  /**
   * Voice belongs to the session (tab) that joined: it ends when that session ends or loses its
   * socket, even while the user has other tabs open. A user with no socket left leaves their calls.
   */
  const onSessionsChanged: SessionsChangedHook = ({ userId, reason, attached, sessionId }) => {
    const left =
      reason === 'identify' || reason === 'resume' ? [] : voice.leaveSession(userId, sessionId).events;
    const ended = attached === 0 ? calls.endAllOf(userId).events : [];
    if (left.length + ended.length > 0) void commands.run(() => outcome(undefined, [...left, ...ended]));
  };
  return { ready, routes, ops, onSessionsChanged };
}
