import {
  type Attachment,
  type Message,
  type ParsedSearch,
  parseSearchQuery,
  type SearchQuery,
  type SearchResults,
  usernameKey,
} from '@decentra/protocol';
import { invalidInput } from '../../infra/errors.js';
import { ID_EPOCH_MS, idTimestamp } from '../../infra/ids.js';
import type { Db } from '../../storage/db.js';
import type { AccessService } from '../access/access.service.js';
import { toMessage } from '../messages/message-dto.js';
import type { MessageAttachments } from '../messages/messages.service.js';
import {
  newestInScope,
  type SearchConditions,
  type SearchRow,
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
const DAY_MS = 86_400_000;
/**
 * The windows a page is looked for in, in days back from its upper bound (or the scope's newest
 * message); undefined: the rest. Measured in bench/RESULTS.md ("Search").
 */
const WINDOW_DAYS = [1, 30, undefined] as const;

/**
 * Message search. Access first, through the access feature: a server you are not a member of, or
 * a channel you cannot read, is "not found", as everywhere; the query then only ever names the
 * channels of that server (or that one channel), so nothing outside them can match.
 */
export class SearchService {
  constructor(
    private readonly db: Db,
    private readonly access: AccessService,
    /** The files of the messages found (the attachments feature); without it results carry none. */
    private readonly filesOf?: MessageAttachments['of'],
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

  /**
   * One page, newest first, read in widening windows of time back from the page's upper bound
   * (1 day, 30 days, then all): a common word is found in the first window without the database
   * fetching its every match to sort them; a rare one costs three cheap index probes.
   */
  private async run(scope: SearchScope, search: ParsedSearch, query: SearchQuery): Promise<SearchResults> {
    const authorId =
      search.from === undefined ? undefined : await userByKey(this.db, usernameKey(search.from));
    if (search.from !== undefined && authorId === undefined) return { results: [], next: null };
    const conditions: SearchConditions = {
      ...(HAS_WORD.test(search.text) ? { text: search.text } : {}),
      ...(authorId === undefined ? {} : { authorId }),
      hasLink: search.has.includes('link'),
      hasImage: search.has.includes('image'),
    };
    const before = search.before === undefined ? undefined : idAt(search.before);
    const cursor = query.cursor === undefined ? undefined : BigInt(query.cursor);
    const upper = before === undefined || (cursor !== undefined && cursor < before) ? cursor : before;
    const lowest = search.after === undefined ? undefined : idAt(search.after);
    const start = upper ?? (await newestInScope(this.db, scope));
    if (start === undefined) return { results: [], next: null };
    const topMs = idTimestamp(start).getTime();
    const rows: SearchRow[] = [];
    let top = upper;
    for (const days of WINDOW_DAYS) {
      const edge = days === undefined ? undefined : idAt(new Date(topMs - days * DAY_MS).toISOString());
      const bottom = edge === undefined || (lowest !== undefined && edge <= lowest) ? lowest : edge;
      const window = {
        ...conditions,
        ...(top === undefined ? {} : { beforeId: top }),
        ...(bottom === undefined ? {} : { afterId: bottom }),
      };
      rows.push(...(await searchPage(this.db, scope, window, query.limit + 1 - rows.length)));
      if (rows.length > query.limit || bottom === lowest) break;
      top = bottom;
    }
    const shown = rows.slice(0, query.limit);
    const last = shown[shown.length - 1];
    const files = await this.filesOf?.(
      this.db,
      shown.map((r) => r.message.id),
    );
    return {
      results: shown.map((r) => ({
        message: withAttachments(toMessage(r.message, r.author), files?.get(r.message.id.toString())),
        channel: {
          id: r.channel.id.toString(),
          serverId: r.channel.serverId?.toString() ?? null,
          type: r.channel.type,
          name: r.channel.name,
        },
      })),
      next: rows.length > query.limit && last ? last.message.id.toString() : null,
    };
  }
}

function withAttachments(message: Message, files: Attachment[] | undefined): Message {
  return files && files.length > 0 ? { ...message, attachments: files } : message;
}

function parsed(q: string): ParsedSearch {
  const result = parseSearchQuery(q);
  if (!result.ok) throw invalidInput(result.error);
  return result.search;
}
