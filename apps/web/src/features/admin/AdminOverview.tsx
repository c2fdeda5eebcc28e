import type { InstanceOverview } from '@decentra/protocol';
import { useEffect, useState } from 'react';
import { rest } from '../../app/client';
import { errorText } from '../../ui/error-text';
import { formatBytes, formatDuration } from '../../ui/format';

const ENGINES: Record<InstanceOverview['storage']['engine'], string> = {
  embedded: 'Embedded database (PGlite)',
  postgres: 'PostgreSQL',
};

/** How big the instance is and how it runs. */
export function AdminOverview() {
  const [overview, setOverview] = useState<InstanceOverview | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    rest.adminOverview().then(
      (o) => live && setOverview(o),
      (err) => live && setError(errorText(err)),
    );
    return () => {
      live = false;
    };
  }, []);

  if (error)
    return (
      <p className="form-error" role="alert">
        {error}
      </p>
    );
  if (!overview) return <p role="status">Loading…</p>;
  const count = (n: number) => n.toLocaleString('en');
  return (
    <>
      <ul className="stat-cards" aria-label="Counts">
        <li className="stat-card">
          <span className="stat-value">{count(overview.users)}</span>
          <span className="stat-label">{overview.users === 1 ? 'User' : 'Users'}</span>
        </li>
        <li className="stat-card">
          <span className="stat-value">{count(overview.servers)}</span>
          <span className="stat-label">{overview.servers === 1 ? 'Server' : 'Servers'}</span>
        </li>
        <li className="stat-card">
          <span className="stat-value">{count(overview.messages)}</span>
          <span className="stat-label">{overview.messages === 1 ? 'Message' : 'Messages'}</span>
        </li>
      </ul>
      <dl className="facts">
        <div>
          <dt>Storage</dt>
          <dd>{ENGINES[overview.storage.engine]}</dd>
        </div>
        <div>
          <dt>Database size</dt>
          <dd>{formatBytes(overview.storage.databaseBytes)}</dd>
        </div>
        <div>
          <dt>Version</dt>
          <dd>{overview.version}</dd>
        </div>
        <div>
          <dt>Uptime</dt>
          <dd>{formatDuration(overview.uptimeSeconds)}</dd>
        </div>
      </dl>
    </>
  );
}
