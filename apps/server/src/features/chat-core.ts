import type { Bus } from '../bus/bus.js';
import type { OpRegistry } from '../gateway/ops.js';
import type { ReadyBuilder } from '../gateway/ready.js';
import { serverTopic } from '../gateway/subscriptions.js';
import type { App } from '../http/types.js';
import type { IdGenerator } from '../infra/ids.js';
import type { LimiterFactory } from '../infra/rate-limiter.js';
import type { Db } from '../storage/db.js';
import type { AccountsService } from './accounts/accounts.service.js';
import { channelsRoutes } from './channels/channels.routes.js';
import { ChannelsService } from './channels/channels.service.js';
import { SendAccessCache } from './channels/send-access-cache.js';
import { dmsRoutes } from './dms/dms.routes.js';
import { DmsService } from './dms/dms.service.js';
import type { InvitesService } from './invites/invites.service.js';
import { membersRoutes } from './members/members.routes.js';
import { MembersService } from './members/members.service.js';
import { registerMessageOps } from './messages/messages.ops.js';
import { messagesRoutes } from './messages/messages.routes.js';
import { MessagesService } from './messages/messages.service.js';
import { type SendLimits, SendRateLimit } from './messages/send-rate-limit.js';
import { serversRoutes } from './servers/servers.routes.js';
import { ServersService } from './servers/servers.service.js';
import { registerTypingOps } from './typing/typing.ops.js';
import { TypingService } from './typing/typing.service.js';

export interface ChatCoreDeps {
  http: App;
  db: Db;
  ids: IdGenerator;
  bus: Bus;
  accounts: AccountsService;
  invites: InvitesService;
  ready: ReadyBuilder;
  ops: OpRegistry;
  sendLimits?: SendLimits;
  limiters?: LimiterFactory;
}

/** Servers, members, channels, messages and DMs: services, routes, ops, their part of `ready`. */
export function registerChatCore(deps: ChatCoreDeps): { servers: ServersService; messages: MessagesService } {
  const { http, db, ids, bus, accounts } = deps;
  const servers = new ServersService(db, ids, deps.invites);
  const members = new MembersService(db);
  const dms = new DmsService(db, ids);
  const channels = new ChannelsService(db, ids, dms.ends);
  const messages = new MessagesService({
    db,
    ids,
    rateLimit: new SendRateLimit(deps.sendLimits, deps.limiters),
    dm: { ends: dms.ends, canSend: dms.canSend },
    cache: new SendAccessCache(bus),
  });

  accounts.onInviteRedeemed(servers.joinOnSignup);
  deps.ready.add(async (auth) => {
    const list = await servers.list(auth.user.id);
    return { data: { servers: list }, topics: list.map((s) => serverTopic(s.id)) };
  });
  deps.ready.add(async (auth) => ({ data: { dms: await dms.list(auth.user.id) } }));
  serversRoutes(http, { accounts, servers, bus });
  membersRoutes(http, { accounts, members, bus });
  channelsRoutes(http, { accounts, channels, bus });
  messagesRoutes(http, { accounts, messages, bus });
  dmsRoutes(http, { accounts, dms, bus });
  registerMessageOps(deps.ops, messages);
  registerTypingOps(deps.ops, new TypingService(db, dms.ends));
  return { servers, messages };
}
