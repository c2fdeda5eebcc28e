import { Readable } from 'node:stream';
import type { RouteHandlers } from '../../http/api.js';
import type { Commands } from '../../kernel/commands.js';
import type { ServersService } from '../servers/servers.service.js';
import type { AvatarsService } from './avatars.service.js';
import { readAvatarUpload } from './read-upload.js';

export function avatarsRoutes(deps: {
  avatars: AvatarsService;
  servers: ServersService;
  commands: Commands;
}): RouteHandlers<'setAvatar' | 'deleteAvatar' | 'setServerIcon' | 'deleteServerIcon' | 'getAvatar'> {
  const { avatars, servers, commands } = deps;
  return {
    setAvatar: async ({ auth, upload }) => {
      const image = await avatars.encode(auth.actor, await readAvatarUpload(upload));
      return commands.transaction((tx) => avatars.setAvatar(tx, auth.actor, image));
    },
    deleteAvatar: async ({ auth }) => {
      await commands.transaction((tx) => avatars.setAvatar(tx, auth.actor, null));
    },
    setServerIcon: async ({ auth, params, upload }) => {
      const serverId = BigInt(params.serverId);
      await avatars.checkIconRight(auth.actor, serverId);
      const image = await avatars.encode(auth.actor, await readAvatarUpload(upload));
      await commands.transaction((tx) => avatars.setServerIcon(tx, auth.actor, serverId, image));
      return servers.get(auth.actor.id, serverId);
    },
    deleteServerIcon: async ({ auth, params }) => {
      await commands.transaction((tx) =>
        avatars.setServerIcon(tx, auth.actor, BigInt(params.serverId), null),
      );
    },
    getAvatar: async ({ params, reply }) => {
      const data = await avatars.image(params.hash);
      // The hash names these bytes: they never change, so the browser may keep them for good.
      reply.header('cache-control', 'private, max-age=31536000, immutable');
      reply.header('x-content-type-options', 'nosniff');
      reply.header('content-length', data.length);
      return Readable.from([data]);
    },
  };
}
