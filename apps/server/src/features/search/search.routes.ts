import type { RouteHandlers } from '../../http/api.js';
import type { SearchService } from './search.service.js';

export function searchRoutes(deps: {
  search: SearchService;
}): RouteHandlers<'searchServerMessages' | 'searchChannelMessages'> {
  const { search } = deps;
  return {
    searchServerMessages: async ({ auth, params, query }) =>
      search.inServer(auth.actor.id, BigInt(params.serverId), query),
    searchChannelMessages: async ({ auth, params, query }) =>
      search.inChannel(auth.actor.id, BigInt(params.channelId), query),
  };
}
