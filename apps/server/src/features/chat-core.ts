import type { Bus } from '../bus/bus.js';
import type { OpHandlers } from '../gateway/ops.js';
import type { ReadyContributor } from '../gateway/ready.js';
import type { RouteHandlers } from '../http/api.js';
import type { IdGenerator } from '../infra/ids.js';
import type { LimiterFactory } from '../infra/rate-limiter.js';
import { type Clock, systemClock } from '../kernel/clock.js';
import type { Commands } from '../kernel/commands.js';
import { serverScope } from '../kernel/events.js';
import { outcome } from '../kernel/outcome.js';
import type { Db } from '../storage/db.js';
import type { AccessService } from './access/access.service.js';
import type { AccountsService } from './accounts/accounts.service.js';
import { attachmentsRoutes } from './attachments/attachments.routes.js';
import { type AttachmentsDeps, AttachmentsService } from './attachments/attachments.service.js';
import { AvatarRateLimit } from './avatars/avatar-rate-limit.js';
import { avatarsRoutes } from './avatars/avatars.routes.js';
import { AvatarsService } from './avatars/avatars.service.js';
import { channelsRoutes } from './channels/channels.routes.js';
import { ChannelsService } from './channels/channels.service.js';
import { SendAccessCache } from './channels/send-access-cache.js';
import { dmsRoutes } from './dms/dms.routes.js';
import { DmsService } from './dms/dms.service.js';
import type { FriendsService } from './friends/friends.service.js';
import type { InvitesService } from './invites/invites.service.js';
import { membersRoutes } from './members/members.routes.js';
import { MembersService } from './members/members.service.js';
import { messageOps } from './messages/messages.ops.js';
import { messagesRoutes } from './messages/messages.routes.js';
import { MessagesService } from './messages/messages.service.js';
import { type SendLimits, SendRateLimit } from './messages/send-rate-limit.js';
import { pinsRoutes } from './pins/pins.routes.js';
import { PinsService } from './pins/pins.service.js';
import { ReactionRateLimit } from './reactions/reaction-rate-limit.js';
import { reactionsRoutes } from './reactions/reactions.routes.js';
import { ReactionsService } from './reactions/reactions.service.js';
import { searchRoutes } from './search/search.routes.js';
import { SearchService } from './search/search.service.js';
import { serversRoutes } from './servers/servers.routes.js';
import { ServersService } from './servers/servers.service.js';
import { typingOps } from './typing/typing.ops.js';
import { TypingService } from './typing/typing.service.js';
import type { TypingThrottle } from './typing/typing-throttle.js';

export interface ChatCoreDeps {
  db: Db;
  ids: IdGenerator;
  bus: Bus;
  commands: Commands;
  access: AccessService;
  accounts: AccountsService;
  invites: InvitesService;
  friends: FriendsService;
  sendLimits?: SendLimits;
  limiters?: LimiterFactory;
  /** Shared by every instance (Redis); without it each instance throttles typing alone. */
  typingThrottle?: TypingThrottle;
  clock?: Clock;
  /** Files sent in messages: where their bytes go, their URLs' signer, limits. */
  files: Pick<AttachmentsDeps, 'store' | 'urls' | 'config' | 'spoolDir' | 'onProblem'>;
  onGroupCommit?: (rows: number) => void;
}

/** Servers, members, channels, messages, reactions, DMs and typing: services, routes, ops, their part of `ready`. */
export function registerChatCore(deps: ChatCoreDeps) {
  const { db, ids, commands, access, clock } = deps;
  // Invite expiry and join times follow the app's clock (tests move it by hand).
  const now = clock && (() => new Date(clock.now()));
  const servers = new ServersService({ db, ids, invites: deps.invites, access, now });
  const members = new MembersService(db, access);
  const dms = new DmsService(db, ids, deps.friends);
  const channels = new ChannelsService(ids, access);
  const attachments = new AttachmentsService({
    ...deps.files,
    db,
    ids,
    access,
    canSendDm: dms.canSend,
    clock: clock ?? systemClock,
  });
  const reactions = new ReactionsService({
    db,
    access,
    rateLimit: new ReactionRateLimit(undefined, deps.limiters),
    canReactInDm: dms.canSend,
    now,
  });
  const messages = new MessagesService({
    db,
    ids,
    access,
    rateLimit: new SendRateLimit(deps.sendLimits, deps.limiters),
    canSendDm: dms.canSend,
    reactionsOf: reactions.summaries,
    cache: new SendAccessCache(deps.bus),
    attachments,
    ...(deps.onGroupCommit ? { onGroupCommit: deps.onGroupCommit } : {}),
  });
  // A deleted message's files went with it (trigger): their blobs go once nothing else needs them.
  messages.onDeleted.add(() => outcome(undefined, [], [async () => outcome(await attachments.collect())]));
  const typing = new TypingService(db, access, deps.clock, deps.typingThrottle);
  const avatars = new AvatarsService({ db, access, rateLimit: new AvatarRateLimit(deps.limiters) });
  const pins = new PinsService({
    db,
    access,
    messagesByIds: (c, ids, viewer) => messages.byIds(c, ids, viewer),
    now,
  });
  deps.accounts.onInviteRedeemed(servers.joinOnSignup);

  const ready: ReadyContributor[] = [
    async (auth) => {
      const list = await servers.list(auth.actor.id);
      return { data: { servers: list }, topics: list.map((s) => serverScope(BigInt(s.id))) };
    },
    async (auth) => ({ data: { dms: await dms.list(auth.actor.id) } }),
  ];
  const routes = {
    ...serversRoutes({ servers, commands }),
    ...membersRoutes({ members, commands }),
    ...channelsRoutes({ channels, commands }),
    ...messagesRoutes({ messages, commands }),
    ...dmsRoutes({ dms, commands }),
    ...pinsRoutes({ pins, commands }),
    ...reactionsRoutes({ reactions, commands }),
    ...searchRoutes({ search: new SearchService(db, access, (tx, ids) => attachments.of(tx, ids)) }),
    ...avatarsRoutes({ avatars, servers, commands }),
    ...attachmentsRoutes({ attachments, commands, authenticate: deps.accounts.authenticate }),
  } satisfies Partial<RouteHandlers>;
  const ops = {
    ...messageOps({ messages, commands }),
    ...typingOps({ typing, commands }),
  } satisfies Partial<OpHandlers>;
  return { servers, members, channels, messages, dms, avatars, attachments, ready, routes, ops };
}
