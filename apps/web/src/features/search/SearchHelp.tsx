import { SEARCH_FILTER_HELP, SEARCH_FILTERS } from '@decentra/protocol';

/** What the search box understands: the filters, from the protocol's own list. */
export function SearchHelp({ inServer }: { inServer: boolean }) {
  return (
    <div className="search-help" role="note" aria-label="Search filters">
      <p>Words match whole words; "quoted words" match a phrase; -word leaves it out.</p>
      <dl>
        {SEARCH_FILTERS.filter((f) => inServer || f !== 'in').map((f) => (
          <div key={f}>
            <dt>
              <code>{SEARCH_FILTER_HELP[f].example}</code>
            </dt>
            <dd>{SEARCH_FILTER_HELP[f].text}</dd>
          </div>
        ))}
      </dl>
    </div>
  );
}
