import type { VoiceConfig } from '../../config.js';
import type { ReadyContributor } from '../../gateway/ready.js';
import type { RouteHandlers } from '../../http/api.js';
import type { Logger } from '../../infra/logger.js';
import { type Clock, systemClock } from '../../kernel/clock.js';
import type { Commands } from '../../kernel/commands.js';
import { combine, outcome } from '../../kernel/outcome.js';
import type { SessionsChangedHook } from '../../kernel/sessions.js';
import type { AccessService } from '../access/access.service.js';
import type { ChannelsService } from '../channels/channels.service.js';
import type { DmsService } from '../dms/dms.service.js';
import type { FriendsService } from '../friends/friends.service.js';
import type { MembersService } from '../members/members.service.js';
import type { MessagesService } from '../messages/messages.service.js';
import type { ServersService } from '../servers/servers.service.js';
import { CallsService } from './calls.service.js';
import { iceServersFor } from './ice-servers.js';
import { voiceOps } from './voice.ops.js';
import { VoiceService } from './voice.service.js';

/** Voice channels and one-to-one calls: state and signalling; the audio is peer to peer. */
export function registerVoice(deps: {
  commands: Commands;
  access: AccessService;
  friends: FriendsService;
  servers: ServersService;
  members: MembersService;
  channels: ChannelsService;
  messages: MessagesService;
  dms: DmsService;
  config: VoiceConfig;
  log: Logger;
  clock?: Clock;
}) {
  const { commands, config, log } = deps;
  const clock = deps.clock ?? systemClock;
  /**
   * This instance's gateway sessions as voice sees them: a session that ended (or, for voice
   * channels, lost its socket) while one of its joins or calls was awaiting the database must not
   * be given a place it would never give back.
   */
  const sessions = new Map<string, 'attached' | 'detached'>();
  const voice = new VoiceService(deps.access, config.channelLimit, (id) => sessions.get(id) === 'attached');
  const calls = new CallsService({
    isLive: (id) => sessions.has(id),
    friends: deps.friends,
    dms: deps.dms,
    messages: deps.messages,
    voice,
    commands,
    ringTimeoutMs: config.ringTimeoutMs,
    log,
    clock,
  });
  // People are forgotten in the command that removes them, before its events go out: once a
  // kick, a leave, a deletion or an unfriending has answered, no signal of theirs passes.
  deps.members.onRemoved(voice.forgetMember);
  deps.servers.onDeleted(voice.forgetServer);
  deps.channels.onDeleted(voice.forgetChannel);
  deps.friends.onUnfriended(calls.endBetween);
  // One voice thing at a time: joining a voice channel ends your call.
  voice.onJoining(calls.endOf);

  const ready: ReadyContributor = async (auth) => ({
    data: {
      voiceStates: voice.statesIn(await deps.servers.idsOf(auth.actor.id)),
      calls: calls.of(auth.actor.id),
    },
  });
  const routes: RouteHandlers<'iceServers'> = {
    iceServers: async ({ auth }) => ({ iceServers: iceServersFor(config, auth.actor.id, clock.now()) }),
  };
  const ops = voiceOps({ voice, calls, commands });
  /**
   * Voice belongs to the session (tab) that joined: it ends when that session ends or loses its
   * socket, even while the user has other tabs open (its WebRTC connections are gone). A call
   * belongs to the sessions that started and answered it: it ends when one of them ends (closed,
   * expired), and outlives a dropped socket that the session may still resume.
   */
  const onSessionsChanged: SessionsChangedHook = ({ userId, reason, sessionId }) => {
    if (reason === 'closed' || reason === 'expired') sessions.delete(sessionId);
    else sessions.set(sessionId, reason === 'detached' ? 'detached' : 'attached');
    if (reason === 'identify' || reason === 'resume') return;
    const change = combine(undefined, [
      voice.leaveSession(userId, sessionId),
      reason === 'detached' ? outcome(undefined) : calls.endSession(sessionId),
    ]);
    if (change.events.length === 0 && !change.after) return;
    commands
      .run(() => change)
      .catch((err: unknown) => log.error({ err }, 'leaving voice with a session failed'));
  };
  return { ready, routes, ops, onSessionsChanged };
}
