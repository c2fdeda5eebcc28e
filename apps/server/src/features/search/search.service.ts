import {
  type ParsedSearch,
  parseSearchQuery,
  SEARCH_COUNT_CAP,
  type SearchQuery,
  type SearchResults,
  usernameKey,
} from '@decentra/protocol';
import { invalidInput } from '../../infra/errors.js';
import { ID_EPOCH_MS } from '../../infra/ids.js';
import type { Db } from '../../storage/db.js';
import type { AccessService } from '../access/access.service.js';
import { toMessage } from '../messages/message-dto.js';
import {
  countMatches,
  type SearchConditions,
  type SearchScope,
  searchPage,
  textChannelNamed,
  userByKey,
} from './search.repo.js';

/** The lowest id of a message written at `iso` or later (ids start with their millisecond). */
function idAt(iso: string): bigint {
  return BigInt(Date.parse(iso) - ID_EPOCH_MS) << 22n;
}

const HAS_WORD = /[\p{L}\p{N}]/u;

/**
 * Message search. Access first, through the access feature: a server you are not a member of, or
 * a channel you cannot read, is "not found", as everywhere; the query then only ever names the
 * channels of that server (or that one channel), so nothing outside them can match.
 */
export class SearchService {
  constructor(
    private readonly db: Db,
    private readonly access: AccessService,
  ) {}

  async inServer(userId: bigint, serverId: bigint, query: SearchQuery): Promise<SearchResults> {
    await this.access.server(this.db, serverId, userId);
    const search = parsed(query.q);
    let channelId: bigint | undefined;
    if (search.in !== undefined) {
      channelId = await textChannelNamed(this.db, serverId, search.in);
      if (channelId === undefined) throw invalidInput(`This server has no text channel named #${search.in}.`);
    }
    return this.run({ serverId, ...(channelId === undefined ? {} : { channelId }) }, search, query);
  }

  async inChannel(userId: bigint, channelId: bigint, query: SearchQuery): Promise<SearchResults> {
    await this.access.channel(this.db, channelId, userId);
    const search = parsed(query.q);
    if (search.in !== undefined)
      throw invalidInput('in: works in a server search; this one is in one channel.');
    return this.run({ channelId }, search, query);
  }

  private async run(scope: SearchScope, search: ParsedSearch, query: SearchQuery): Promise<SearchResults> {
    const authorId =
      search.from === undefined ? undefined : await userByKey(this.db, usernameKey(search.from));
    if (search.from !== undefined && authorId === undefined) return { results: [], total: 0, next: null };
    const conditions: SearchConditions = {
      ...(HAS_WORD.test(search.text) ? { text: search.text } : {}),
      ...(authorId === undefined ? {} : { authorId }),
      hasLink: search.has.includes('link'),
      hasImage: search.has.includes('image'),
      ...(search.after === undefined ? {} : { afterId: idAt(search.after) }),
    };
    const before = search.before === undefined ? undefined : idAt(search.before);
    const cursor = query.cursor === undefined ? undefined : BigInt(query.cursor);
    const upper = before === undefined || (cursor !== undefined && cursor < before) ? cursor : before;
    const page = { ...conditions, ...(upper === undefined ? {} : { beforeId: upper }) };
    const rows = await searchPage(this.db, scope, page, query.limit + 1);
    const all = before === undefined ? conditions : { ...conditions, beforeId: before };
    const total = await countMatches(this.db, scope, all, SEARCH_COUNT_CAP);
    const shown = rows.slice(0, query.limit);
    const last = shown[shown.length - 1];
    return {
      results: shown.map((r) => ({
        message: toMessage(r.message, r.author),
        channel: {
          id: r.channel.id.toString(),
          serverId: r.channel.serverId?.toString() ?? null,
          type: r.channel.type,
          name: r.channel.name,
        },
      })),
      total,
      next: rows.length > query.limit && last ? last.message.id.toString() : null,
    };
  }
}

function parsed(q: string): ParsedSearch {
  const result = parseSearchQuery(q);
  if (!result.ok) throw invalidInput(result.error);
  return result.search;
}
