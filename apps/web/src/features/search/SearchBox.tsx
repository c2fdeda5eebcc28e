import { useState } from 'react';
import { useChat } from '../../app/hooks';
import { usePlace } from '../../app/routes';
import { useJumpNavigation } from '../messages/jump-to-message';
import { SearchHelp } from './SearchHelp';
import { SearchResults, type SearchScope } from './SearchResults';
import '../../styles/search.css';

/** The header's search: the whole server in a server, the conversation in a DM. */
export function SearchBox() {
  useJumpNavigation();
  const { serverId, channelId } = usePlace();
  const dm = useChat((s) => (channelId && s.channels[channelId]?.type === 'dm' ? channelId : undefined));
  const serverName = useChat((s) => (serverId ? s.servers[serverId]?.name : undefined));
  const [text, setText] = useState('');
  const [query, setQuery] = useState<{ q: string; serial: number } | null>(null);
  const [help, setHelp] = useState(false);
  const scope: SearchScope | undefined = serverId ? { serverId } : dm ? { channelId: dm } : undefined;
  const scopeKey = serverId ?? dm ?? '';
  const [shownFor, setShownFor] = useState(scopeKey);
  if (shownFor !== scopeKey) {
    // Another server or conversation: its own search.
    setShownFor(scopeKey);
    setQuery(null);
    setText('');
  }
  if (!scope) return null;
  const label = serverId ? `Search ${serverName ?? 'this server'}` : 'Search this conversation';
  return (
    <search className="search-box">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const q = text.trim();
          if (q) setQuery((prev) => ({ q, serial: (prev?.serial ?? 0) + 1 }));
          setHelp(false);
        }}
      >
        <input
          type="search"
          aria-label={label}
          placeholder="Search"
          value={text}
          maxLength={500}
          onChange={(e) => setText(e.target.value)}
          onFocus={() => setHelp(text === '' && query === null)}
          onBlur={() => setHelp(false)}
        />
        <button
          type="button"
          className="icon-button search-help-toggle"
          aria-label="Search filters help"
          aria-expanded={help}
          onMouseDown={(e) => e.preventDefault()}
          onClick={() => setHelp((h) => !h)}
        >
          ?
        </button>
      </form>
      {help && <SearchHelp inServer={!!serverId} />}
      {query && (
        <SearchResults
          key={`${scopeKey}:${query.serial}`}
          scope={scope}
          q={query.q}
          onClose={() => setQuery(null)}
        />
      )}
    </search>
  );
}
