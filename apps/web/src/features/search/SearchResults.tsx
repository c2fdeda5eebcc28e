import {
  type SearchResults as Results,
  replyOriginalOf,
  replyQuoteText,
  type SearchResult,
  searchTerms,
} from '@decentra/protocol';
import { useEffect, useMemo, useState } from 'react';
import { rest } from '../../app/client';
import { errorText } from '../../ui/error-text';
import { formatDate } from '../../ui/format';
import { Icon } from '../../ui/Icon';
import { jumpToMessage } from '../messages/jump-to-message';
import { highlightParts } from './highlight';

export type SearchScope = { serverId: string } | { channelId: string };

function fetchPage(scope: SearchScope, q: string, cursor: string | undefined): Promise<Results> {
  const more = cursor === undefined ? {} : { cursor };
  return 'serverId' in scope
    ? rest.searchServerMessages({ serverId: scope.serverId, q, ...more })
    : rest.searchChannelMessages({ channelId: scope.channelId, q, ...more });
}

/** The panel of matches for one query: newest first, more on demand, a click jumps to the message. */
export function SearchResults({ scope, q, onClose }: { scope: SearchScope; q: string; onClose: () => void }) {
  const [results, setResults] = useState<SearchResult[]>([]);
  const [loaded, setLoaded] = useState(false);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const terms = useMemo(() => searchTerms(q), [q]);

  const load = (cursor: string | undefined) => {
    setLoading(true);
    fetchPage(scope, q, cursor)
      .then((page) => {
        setResults((r) => (cursor === undefined ? page.results : [...r, ...page.results]));
        setLoaded(true);
        setNext(page.next);
        setError(null);
      })
      .catch((err: unknown) => setError(errorText(err)))
      .finally(() => setLoading(false));
  };
  // biome-ignore lint/correctness/useExhaustiveDependencies: one first page per query (the panel is keyed by it).
  useEffect(() => load(undefined), []);

  // The server does not count every match (a common word has too many): more pages say "+".
  const count = `${results.length}${next === null ? '' : '+'}`;
  return (
    <section className="search-panel" aria-label="Search results">
      <header className="search-panel-head">
        <span role="status">
          {error ? '' : !loaded ? 'Searching…' : `${count} ${count === '1' ? 'result' : 'results'}`}
        </span>
        <button type="button" className="icon-button" aria-label="Close search" onClick={onClose}>
          <Icon name="close" />
        </button>
      </header>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <ol className="search-list">
        {results.map((r) => (
          <li key={r.message.id}>
            <button
              type="button"
              className="search-result"
              onClick={() => void jumpToMessage(r.channel.id, r.message.id).catch(() => undefined)}
            >
              <span className="search-result-head">
                {r.channel.type !== 'dm' && <span className="search-channel">#{r.channel.name}</span>}
                <span className="search-author">{r.message.author.username}</span>
                <time dateTime={r.message.createdAt}>{formatDate(r.message.createdAt)}</time>
              </span>
              <span className="search-text">
                {r.message.content === '' && <em>{replyQuoteText(replyOriginalOf(r.message))}</em>}
                {highlightParts(r.message.content, terms).map((part, i) =>
                  part.match ? (
                    // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one fixed text.
                    <mark key={i}>{part.text}</mark>
                  ) : (
                    // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one fixed text.
                    <span key={i}>{part.text}</span>
                  ),
                )}
              </span>
            </button>
          </li>
        ))}
      </ol>
      {next !== null && (
        <button
          type="button"
          className="button small search-more"
          disabled={loading}
          onClick={() => load(next)}
        >
          More results
        </button>
      )}
    </section>
  );
}
