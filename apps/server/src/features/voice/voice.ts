import type { VoiceConfig } from '../../config.js';
import type { ReadyContributor } from '../../gateway/ready.js';
import type { RouteHandlers } from '../../http/api.js';
import type { Logger } from '../../infra/logger.js';
import { type Clock, systemClock, type TimerHandle } from '../../kernel/clock.js';
import type { Commands } from '../../kernel/commands.js';
import { combine, type Outcome } from '../../kernel/outcome.js';
import type { SessionsChangedHook } from '../../kernel/sessions.js';
import type { AccessService } from '../access/access.service.js';
import type { ChannelsService } from '../channels/channels.service.js';
import type { DmsService } from '../dms/dms.service.js';
import type { FriendsService } from '../friends/friends.service.js';
import type { MembersService } from '../members/members.service.js';
import type { MessagesService } from '../messages/messages.service.js';
import type { ServersService } from '../servers/servers.service.js';
import type { CallRegistry } from './call-registry.js';
import { CallsService } from './calls.service.js';
import { iceServersFor } from './ice-servers.js';
import { voiceOps } from './voice.ops.js';
import { VoiceService } from './voice.service.js';
import type { VoiceRegistry } from './voice-registry.js';

/**
 * How long a voice channel keeps someone whose gateway socket dropped: the audio is peer to peer
 * and goes on without the gateway, so a network blip that resumes must not throw them out; a tab
 * that is gone (no resume) leaves after this.
 */
export const VOICE_RESUME_GRACE_MS = 20_000;

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
  /** With several instances: voice memberships and calls in Redis; in memory without. */
  shared?: { voice: VoiceRegistry; calls: CallRegistry };
}) {
  const { commands, config, log } = deps;
  const clock = deps.clock ?? systemClock;
  /**
   * This instance's gateway sessions as voice sees them: a session that ended (or, for voice
   * channels, lost its socket) while one of its joins or calls was awaiting the database must not
   * be given a place it would never give back.
   */
  const sessions = new Map<string, 'attached' | 'detached'>();
  const voice = new VoiceService(
    deps.access,
    config.channelLimit,
    (id) => sessions.get(id) === 'attached',
    deps.shared?.voice,
  );
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
    ...(deps.shared ? { registry: deps.shared.calls } : {}),
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
      voiceStates: await voice.statesIn(await deps.servers.idsOf(auth.actor.id)),
      calls: await calls.of(auth.actor.id),
    },
  });
  const routes: RouteHandlers<'iceServers'> = {
    iceServers: async ({ auth }) => ({ iceServers: iceServersFor(config, auth.actor.id, clock.now()) }),
  };
  const ops = voiceOps({ voice, calls, commands });
  const run = (change: () => Promise<Outcome<void>>) => {
    commands.run(change).catch((err: unknown) => log.error({ err }, 'leaving voice with a session failed'));
  };
  /** Sessions whose socket dropped, and when their voice channel lets them go. */
  const graces = new Map<string, TimerHandle>();
  /**
   * Voice belongs to the session (tab) that joined, calls to the sessions that started and
   * answered them: both end when that session ends (closed, expired), even while the user has
   * other tabs open. A dropped socket keeps them: a call for as long as the session may resume, a
   * voice channel for VOICE_RESUME_GRACE_MS (people in a channel should not see a gone tab there
   * for minutes).
   */
  const onSessionsChanged: SessionsChangedHook = ({ userId, reason, sessionId }) => {
    // A session moved to another instance is gone from here; its voice and calls (held by this
    // instance) do not follow it, so they end as if it had closed.
    if (reason === 'closed' || reason === 'expired' || reason === 'moved') sessions.delete(sessionId);
    else sessions.set(sessionId, reason === 'detached' ? 'detached' : 'attached');
    graces.get(sessionId)?.cancel();
    graces.delete(sessionId);
    if (reason === 'identify' || reason === 'resume') return;
    if (reason === 'detached') {
      const timer = clock.setTimeout(() => {
        graces.delete(sessionId);
        run(() => voice.leaveSession(userId, sessionId));
      }, VOICE_RESUME_GRACE_MS);
      graces.set(sessionId, timer);
      return;
    }
    run(async () =>
      combine(undefined, [await voice.leaveSession(userId, sessionId), await calls.endSession(sessionId)]),
    );
  };
  /**
   * Fed by each heartbeat of this instance (several instances): the voice members and calls of
   * instances that stopped beating go, as a dropped socket's voice does after the grace; the
   * script hands each to one instance only, which tells it.
   */
  const onBeat = async ({ now }: { now: number }): Promise<void> => {
    try {
      const endedCalls = await calls.reap(now, VOICE_RESUME_GRACE_MS);
      const leftVoice = await voice.reap(now, VOICE_RESUME_GRACE_MS);
      await commands.run(() => combine(undefined, [endedCalls, leftVoice]));
    } catch (err) {
      log.warn({ err }, 'reaping dead instances’ voice failed');
    }
  };
  const close = () => {
    for (const timer of graces.values()) timer.cancel();
    graces.clear();
    calls.close();
  };
  return { ready, routes, ops, onSessionsChanged, onBeat, close };
}
