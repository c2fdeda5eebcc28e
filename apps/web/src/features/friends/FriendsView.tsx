import { useState } from 'react';
import { useChat } from '../../app/hooks';
import { AddFriend } from './AddFriend';
import { AllFriends } from './AllFriends';
import { PendingRequests } from './PendingRequests';

type Tab = 'all' | 'pending' | 'add';

/** Friends: all of them, pending requests, and adding someone. */
export function FriendsView() {
  const [tab, setTab] = useState<Tab>('all');
  const incoming = useChat((s) => s.incoming.length);
  const tabs: Array<[Tab, string]> = [
    ['all', 'All friends'],
    ['pending', incoming ? `Pending (${incoming})` : 'Pending'],
    ['add', 'Add friend'],
  ];
  return (
    <section className="friends-view" aria-label="Friends">
      <div className="tabs" role="tablist" aria-label="Friends">
        {tabs.map(([key, label]) => (
          <button
            key={key}
            type="button"
            role="tab"
            id={`tab-${key}`}
            aria-selected={tab === key}
            aria-controls={`panel-${key}`}
            className={`tab${tab === key ? ' active' : ''}`}
            onClick={() => setTab(key)}
          >
            {label}
          </button>
        ))}
      </div>
      <div className="tab-panel" role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`}>
        {tab === 'all' && <AllFriends onAdd={() => setTab('add')} />}
        {tab === 'pending' && <PendingRequests />}
        {tab === 'add' && <AddFriend />}
      </div>
    </section>
  );
}
