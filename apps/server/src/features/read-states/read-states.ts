import type { ReadyContributor } from '../../gateway/ready.js';
import type { Commands } from '../../kernel/commands.js';
import type { Db } from '../../storage/db.js';
import type { AccessService } from '../access/access.service.js';
import type { ChannelsService } from '../channels/channels.service.js';
import type { MembersService } from '../members/members.service.js';
import type { ServersService } from '../servers/servers.service.js';
import { readStateOps } from './read-states.ops.js';
import { readStatesRoutes } from './read-states.routes.js';
import { ReadStatesService } from './read-states.service.js';

/** Read states, unread mentions and notification overrides: service, routes, op, part of `ready`. */
export function registerReadStates(deps: {
  db: Db;
  commands: Commands;
  access: AccessService;
  servers: ServersService;
  members: MembersService;
  channels: ChannelsService;
  now: () => Date;
}) {
  const { db, commands, access, now } = deps;
  const readStates = new ReadStatesService({ db, access, now });
  // Leaving a server, or its deletion or a channel's, takes the rows about it along.
  deps.members.onRemoved(readStates.forgetMember);
  deps.servers.onDeleted(readStates.forgetServer);
  deps.channels.onDeleted(readStates.forgetChannel);

  const ready: ReadyContributor = async (auth) => ({ data: await readStates.readyPart(auth.actor.id) });
  return {
    service: readStates,
    routes: readStatesRoutes({ readStates, commands }),
    ops: readStateOps({ readStates, commands }),
    ready,
  };
}
